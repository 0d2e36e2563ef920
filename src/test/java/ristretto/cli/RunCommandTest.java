package ristretto.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ristretto run} driven in-process: its exit codes, its one-line errors, its report of
 * the threads left, limits, arguments and source files. Runaway programs fail a broken limit by
 * the timeout instead of hanging the build.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunCommandTest {

    /** What a run printed: program and command output (stdout), and stderr. */
    record Result(int code, String out, String err) {
        @Override public String toString() { return "exit " + code + "\n--- out\n" + out + "--- err\n" + err; }
    }

    /** Small machines start faster; each test adds what it needs. */
    private static final String MEM = "--memory-mib=64";

    static Result run(String... args) { return run(c -> {}, args); }

    static Result run(Consumer<CommandLine> setup, String... args) {
        ByteArrayOutputStream programOut = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        // Before the command line is made: picocli prints help to the System.out it saw then.
        System.setOut(new PrintStream(programOut, true, StandardCharsets.UTF_8));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code;
        try {
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            setup.accept(cmd);
            code = cmd.execute(args);
        } finally {
            System.setOut(saved);
        }
        return new Result(code, programOut.toString(StandardCharsets.UTF_8) + out, err.toString());
    }

    static String program(String name) { return RunPrograms.class.getName() + "$" + name; }

    static Result runRoot(String name, String... more) {
        List<String> args = new ArrayList<>(List.of("run", MEM, "--root", program(name)));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    /** Exactly one line on stderr, naming the problem; no stack trace. */
    static void oneLineError(Result r, int code, String... fragments) {
        assertEquals(code, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        for (String f : fragments) assertTrue(r.err().contains(f), "missing '" + f + "' in\n" + r);
        assertFalse(r.err().contains("\tat ") || r.err().contains("    at "), r.toString());
    }

    // ------------------------------------------------------------------------- outcomes

    @Test
    void aRootTaskThatReturnsExitsZeroQuietlyAndSeesItsArguments() {
        Result r = runRoot("Finishes", "--", "one", "--two");
        assertEquals(0, r.code(), r.toString());
        assertEquals("hello [one, --two]\n", r.out());
        assertEquals("", r.err());
        Result v = runRoot("Finishes", "-v");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.err().startsWith("ristretto: the root task 66.1 finished (machine time"), v.toString());
    }

    @Test
    void aDiskFileIsABlockDeviceForAUserLevelDriver(@TempDir Path dir) throws IOException {
        byte[] image = new byte[4 * 512];
        byte[] text = "hello from the disk".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, image, 0, text.length);
        Path disk = Files.write(dir.resolve("disk.img"), image);
        Result r = runRoot("ReadsDisk", "--disk", disk.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("hello from the disk, 4 sectors\n", r.out());
        oneLineError(runRoot("ReadsDisk", "--disk", dir.resolve("none").toString()), 2, "--disk", "no such file");
    }

    @Test
    void aRootTaskThatThrowsFailsWithCodeOneAndItsOwnStackOnly() {
        Result r = runRoot("Throws");
        assertEquals(Main.FAILED, r.code(), r.toString());
        assertTrue(r.err().contains("ristretto: failed: the root task 66.1 stopped: user code threw java.lang.IllegalStateException: boom"), r.toString());
        assertTrue(r.err().contains("  66.1 (root task) halted: user code threw java.lang.IllegalStateException: boom"), r.toString());
        assertTrue(r.err().contains("at ristretto.cli.RunPrograms$Throws.main"), r.toString());
        assertFalse(r.err().contains("picocli"), "the launcher's frames are cut: " + r);
    }

    @Test
    void aRootTaskStoppedByAFaultFailsWithCodeOne() {
        Result r = runRoot("Faults");
        assertEquals(Main.FAILED, r.code(), r.toString());
        assertTrue(r.err().contains("stopped: page fault: read at 0x4000000000"), r.toString());
    }

    @Test
    void aDeadlockIsReportedWithWhoWaitsForWhom() {
        Result r = runRoot("Deadlocks");
        assertEquals(Main.DEADLOCK, r.code(), r.toString());
        assertTrue(r.err().contains("ristretto: deadlock: the root task 66.1 is waiting_forever: receiving from 67.1 and nothing is left to wake it"), r.toString());
        assertTrue(r.err().contains("ristretto: threads left (3):"), r.toString());
        assertTrue(r.err().contains("\n  66.1 (root task) waiting_forever: receiving from 67.1\n"), r.toString());
        assertTrue(r.err().contains("\n  67.1 waiting_forever: receiving from 66.1\n"), r.toString());
        assertTrue(r.err().contains("\n  64.1 (sigma0) waiting_forever: receiving from anythread\n"), r.toString());
    }

    @Test
    void aRootTaskHaltedByAnotherThreadIsLeftBlocked() {
        Result r = runRoot("HaltedByChild");
        assertEquals(Main.DEADLOCK, r.code(), r.toString());
        assertTrue(r.err().contains("66.1 (root task) halted: stopped by ExchangeRegisters"), r.toString());
        assertFalse(r.out().contains("resumed"), r.toString());
    }

    @Test
    void theVirtualTimeLimitStopsARunawayProgram() {
        Result r = runRoot("SleepsForever", "--time-limit", "50ms");
        assertEquals(Main.TIME_LIMIT, r.code(), r.toString());
        assertTrue(r.err().contains("ristretto: stopped: time limit of 50ms of machine time reached (machine time 50"), r.toString());
        assertTrue(r.err().contains("66.1 (root task) waiting_timeout: receiving from 66.1"), r.toString());
        assertEquals(0, runRoot("Finishes", "--time-limit", "50ms").code(), "a limit that is not reached changes nothing");
    }

    @Test
    void theWallLimitStopsAProgramThatKeepsEnteringTheKernel() {
        long t0 = System.nanoTime();
        Result r = runRoot("SpinsInKernel", "--wall-limit", "300ms");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Main.TIME_LIMIT, r.code(), r.toString());
        assertTrue(r.err().contains("ristretto: stopped: wall-clock limit of 300ms reached"), r.toString());
        assertTrue(r.err().contains("66.1 (root task) running"), r.toString());
        assertTrue(ms >= 300 && ms < 10_000, ms + " ms");
    }

    /** Issue 8: a program's loop that never enters the kernel is metered and preempted at its yieldpoints. */
    @Test
    void aProgramComputingForeverIsStoppedByTheTimeLimit(@TempDir Path dir) throws IOException {
        Path src = Files.writeString(dir.resolve("Forever.java"), """
                import ristretto.user.L4;
                import ristretto.user.Program;
                public class Forever implements Program {
                    @Override public void main(L4 l4) {
                        long x = 1;
                        while (true) x = x * 31 + 7;
                    }
                }
                """);
        Result r = run("run", MEM, "--time-limit", "50ms", src.toString());
        assertEquals(Main.TIME_LIMIT, r.code(), r.toString());
        assertTrue(r.err().contains("time limit of 50ms of machine time reached"), r.toString());
        assertTrue(r.err().contains("66.1 (root task) running"), r.toString());
    }

    @Test
    void theWallLimitEndsTheJvmWhenUserCodeNeverEntersTheKernel() {
        RunPrograms.SpinsInJava.released = false;
        AtomicInteger exit = new AtomicInteger(-1);
        Result r = run(cmd -> {
            Main.Run run = cmd.getSubcommands().get("run").getCommand();
            run.hardExitGraceNs = 200_000_000L;
            run.hardExit = code -> { exit.set(code); RunPrograms.SpinsInJava.released = true; };
        }, "run", MEM, "--root", program("SpinsInJava"), "--wall-limit", "200ms");
        assertEquals(Main.TIME_LIMIT, exit.get(), "the watchdog's exit code: " + r);
        assertEquals(Main.TIME_LIMIT, r.code(), r.toString());
        assertTrue(r.err().contains("never enters the kernel and has no yieldpoints"), r.toString());
        assertTrue(r.err().contains("66.1 (root task) running"), r.toString());
    }

    @Test
    void theThreadTableSizeIsAnOption() {
        Result small = runRoot("BigThreadNumber");
        assertEquals(Main.FAILED, small.code(), "thread 300066 does not exist with 2^18 slots: " + small);
        Result big = runRoot("BigThreadNumber", "--thread-bits", "20");
        assertEquals(0, big.code(), big.toString());
        assertEquals("created 300066.1\n", big.out());
        oneLineError(runRoot("Finishes", "--thread-bits", "6"), Main.USAGE, "--thread-bits must be 7..24, not 6");
        oneLineError(runRoot("Finishes", "--thread-bits", "25"), Main.USAGE, "--thread-bits must be 7..24, not 25");
    }

    // ------------------------------------------------------------------ load and usage errors

    @Test
    void programsThatCannotBeLoadedGiveOneLineAndCodeThree() {
        oneLineError(run("run", "--root", "no.such.Program"), Main.LOAD, "ristretto: class no.such.Program not found");
        oneLineError(run("run", "--root", "X", "--classpath", "/no/such/dir"), Main.LOAD, "classpath entry /no/such/dir does not exist");
        oneLineError(runRoot("NotAProgram"), Main.LOAD, "RunPrograms$NotAProgram does not implement ristretto.user.Program");
        oneLineError(runRoot("Abstract"), Main.LOAD, "RunPrograms$Abstract is abstract");
        oneLineError(runRoot("NoDefaultConstructor"), Main.LOAD, "has no public no-arg constructor");
        oneLineError(runRoot("BadStatic"), Main.LOAD, "the static initialiser of", "NumberFormatException", "not a number");
        oneLineError(runRoot("BadConstructor"), Main.LOAD, "the constructor of", "UnsupportedOperationException: no");
        oneLineError(runRoot("BadLink"), Main.LOAD, "RunPrograms$BadLink.link failed: java.lang.IllegalStateException: cannot link");
    }

    @Test
    void impossibleMemorySizesAreUsageErrors() {
        String root = program("Finishes");
        oneLineError(run("run", "--root", root, "--memory-mib", "0"), Main.USAGE, "--memory-mib must be positive, not 0");
        oneLineError(run("run", "--root", root, "--memory-mib", "-5"), Main.USAGE, "--memory-mib must be positive, not -5");
        oneLineError(run("run", "--root", root, "--memory-mib", "1.5"), Main.USAGE, "'1.5' is not a long");
        oneLineError(run("run", "--root", root, "--memory-mib", "42"), Main.USAGE, "--memory-mib 42 is too small for the kernel", "at least 43");
        assertEquals(0, run("run", "--root", root, "--memory-mib", "43").code(), "43 MiB is the smallest machine that boots");
        oneLineError(run("run", "--root", root, "--memory-mib", "999999999999"), Main.USAGE, "beyond the machine's 48-bit physical addresses");
        oneLineError(run("run", "--root", root, "--memory-mib", "16777216"), Main.USAGE, "the host cannot give the machine 16777216 MiB");
    }

    @Test
    void badCommandLinesAreOneLineUsageErrors() {
        oneLineError(run("run"), Main.USAGE, "no program: give a source file (Hello.java) or --root CLASS");
        oneLineError(run("run", "Hello.txt"), Main.USAGE, "'Hello.txt' is not a .java source file");
        oneLineError(run("run", "--bogus"), Main.USAGE, "Unknown option: '--bogus'");
        oneLineError(runRoot("Finishes", "--time-limit", "5"), Main.USAGE, "'5' is not a duration");
        oneLineError(runRoot("Finishes", "--wall-limit", "0s"), Main.USAGE, "'0s' is not a duration between");
    }

    @Test
    void helpListsTheExitCodesAndTheLimits() {
        Result r = run("run", "--help");
        assertEquals(0, r.code(), r.toString());
        for (String s : List.of("Exit codes:", "0    the root task finished", "1    the root task failed", "2    usage",
                "3    the program could not be loaded", "4    deadlock", "5    a time limit", "70   internal error",
                "--thread-bits", "--time-limit", "--wall-limit", "preempted at its yieldpoints", "RISTRETTO_JVM_OPTS", "--maps"))
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
    }

    /** {@code --maps}: after the program's output, each space's mappings; the root task's memory derives from sigma0's. */
    @Test
    void mapsShowsTheRootTasksMemoryDerivedFromSigma0() {
        Result r = run("run", MEM, "--maps", "examples/Timeouts.java");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err(), r.toString());
        List<String> out = r.out().lines().toList();
        assertEquals("receive from anyone: timed out", out.get(1), "the program's output comes first:\n" + r);
        assertTrue(out.get(4).startsWith("space 1 [sigma0] (thread 64.1; 4096 pages mapped"), r.toString());
        assertEquals("  0x01000000-0x01ffffff -> frame 0x01000000  rwx  status ---  owner, sigma0's root (4096 pages)", out.get(5));
        int root = out.indexOf("space 2 (thread 66.1; 4096 pages mapped, 1 UTCB page)");
        assertTrue(root > 5, r.toString());
        assertEquals("  0x01000000-0x01ffffff -> frame 0x01000000  rwx  status ---  from space 1 0x01000000 (4096 pages)",
                out.get(root + 1), r.toString());
    }

    @Test
    void durationsHaveUnits() {
        assertEquals(5_000_000_000L, Main.Limit.parse("5s").nanos());
        assertEquals(1_500_000L, Main.Limit.parse("1.5ms").nanos());
        assertEquals(120_000_000_000L, Main.Limit.parse("2min").nanos());
        assertEquals(7_000L, Main.Limit.parse("7us").nanos());
        assertThrows(CommandLine.TypeConversionException.class, () -> Main.Limit.parse("5 parsecs"));
    }

    // ------------------------------------------------------------------------ source files

    @Test
    void aSourceFileIsCompiledAndRunWithItsArguments(@TempDir Path dir) throws IOException {
        Path src = Files.writeString(dir.resolve("Hello.java"), """
                import ristretto.abi.ThreadId;
                import ristretto.user.L4;
                import ristretto.user.Program;

                public class Hello implements Program {
                    public void main(L4 l4) { System.out.println("hello from " + ThreadId.toString(l4.myGlobalId()) + " " + l4.args() + " " + Helper.twice(21)); }
                }

                class Helper { static int twice(int x) { return 2 * x; } }
                """);
        Result r = run("run", MEM, src.toString(), "a", "b");
        assertEquals(0, r.code(), r.toString());
        assertEquals("hello from 66.1 [a, b] 42\n", r.out());
    }

    /** A program that runs itself as an image in a new space: each space counts in its own static. */
    private static final String TWICE = """
            import ristretto.user.*;

            public class Twice implements Program {
                static int count;
                long image;

                public void link(Linker linker) { image = linker.image("Twice"); }

                public void main(L4 l4) {
                    count++;
                    String who = l4.args().isEmpty() ? "child" : "root";
                    System.out.println(who + ": count " + count);
                    if (l4.args().isEmpty()) {
                        l4.loadMsg(0);
                        l4.send(l4.pager());
                        return;
                    }
                    long child = new Threads(l4).inNewSpace(image, 0);
                    l4.receive(child);
                    count++;
                    System.out.println("root: count " + count);
                }
            }
            """;

    /**
     * Issue 8: a program that would block or escape the simulator is refused when it is loaded,
     * with one line naming its class, method and instruction, and the exit code of a load failure.
     */
    @Test
    void programsThatBlockOrReachTheKernelAreRefusedAtLoad(@TempDir Path dir) throws IOException {
        String[][] cases = {
                {"Locked", "synchronized (this) { l4.systemClock(); }", "Locked.main(Lristretto/user/L4;)V at bci ", "monitorenter"},
                {"Sleeper", "Thread.sleep(1);", "Sleeper.main(Lristretto/user/L4;)V at bci ", "java.lang.Thread.sleep(J)V"},
                {"Queued", "new java.util.concurrent.ArrayBlockingQueue<Integer>(1).take();", "Queued.main(Lristretto/user/L4;)V at bci ", "BlockingQueue"},
                {"Peeker", "Class.forName(\"ristretto.kernel.Kernel\");", "Peeker.main(Lristretto/user/L4;)V at bci ", "java.lang.Class.forName"},
                {"Quitter", "System.exit(0);", "Quitter.main(Lristretto/user/L4;)V at bci ", "java.lang.System.exit(I)V"},
        };
        for (String[] c : cases) {
            Path src = Files.writeString(dir.resolve(c[0] + ".java"), """
                    import ristretto.user.L4;
                    import ristretto.user.Program;
                    public class %s implements Program {
                        @Override public void main(L4 l4) throws Exception { %s }
                    }
                    """.formatted(c[0], c[1]));
            Result r = run("run", MEM, src.toString());
            oneLineError(r, 3, c[0] + " was refused: " + c[2], c[3], "is refused");
        }
    }

    @Test
    void aSourceFileRootTaskHasItsOwnLoaderAndStatics(@TempDir Path dir) throws IOException {
        Path src = Files.writeString(dir.resolve("Twice.java"), TWICE);
        Result r = run("run", MEM, src.toString(), "root");
        assertEquals(0, r.code(), r.toString());
        assertEquals("""
                root: count 1
                child: count 1
                root: count 2
                """, r.out());
    }

    @Test
    void aClassPathRootTaskIsLoadedByItsSpace(@TempDir Path dir) throws IOException {
        Path classes = Files.createDirectory(dir.resolve("classes"));
        ristretto.kernel.load.Compiled.compile(TWICE).forEach((name, bytes) -> {
            try {
                Files.write(classes.resolve(name + ".class"), bytes);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Result r = run("run", MEM, "--classpath", classes.toString(), "--root", "Twice", "root");
        assertEquals(0, r.code(), r.toString());
        assertEquals("""
                root: count 1
                child: count 1
                root: count 2
                """, r.out());
        oneLineError(run("run", MEM, "--classpath", classes.toString(), "--root", "Nope"), Main.LOAD,
                "ristretto: class Nope not found on classpath " + classes);
    }

    @Test
    void sourceFilesThatCannotRunGiveCodeThree(@TempDir Path dir) throws IOException {
        Path broken = Files.writeString(dir.resolve("Broken.java"), "public class Broken implements ristretto.user.Program { public void main(ristretto.user.L4 l4) { int x = \"s\"; } }\n");
        Result r = run("run", broken.toString());
        assertEquals(Main.LOAD, r.code(), r.toString());
        assertTrue(r.err().contains("Broken.java:1: error: incompatible types"), r.toString());
        assertTrue(r.err().endsWith("ristretto: " + broken + ": compilation failed\n"), r.toString());

        Path plain = Files.writeString(dir.resolve("Plain.java"), "public class Plain { }\nclass Other implements ristretto.user.Program { public void main(ristretto.user.L4 l4) {} }\n");
        oneLineError(run("run", plain.toString()), Main.LOAD, "its first class, Plain, does not implement ristretto.user.Program");
        oneLineError(run("run", dir.resolve("Missing.java").toString()), Main.LOAD, "Missing.java: no such file");

        Path failing = Files.writeString(dir.resolve("Failing.java"),
                "public class Failing implements ristretto.user.Program { static { if (true) throw new RuntimeException(\"static\"); } public void main(ristretto.user.L4 l4) {} }\n");
        oneLineError(run("run", failing.toString()), Main.LOAD, "the static initialiser of Failing failed: java.lang.RuntimeException: static");
    }
}
