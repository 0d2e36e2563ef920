package ristretto.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import ristretto.abi.ThreadId;
import ristretto.bench.CostsCommand;
import ristretto.bench.IrqCommand;
import ristretto.bench.MemoryCommand;
import ristretto.bench.PingPongCommand;
import ristretto.bench.SandboxCommand;
import ristretto.bench.StringsCommand;
import ristretto.kernel.Kernel;
import ristretto.kernel.ThreadReport;
import ristretto.machine.Machine;
import ristretto.system.CarrierWatch;
import ristretto.system.Ristretto;
import ristretto.system.RunOutcome;
import ristretto.user.demo.DemoRoot;

/** {@code ristretto}: boot and run Ristretto systems from the command line. */
@Command(name = "ristretto", mixinStandardHelpOptions = true, version = "ristretto 0.1.0",
        description = "An L4 X.2 microkernel on the JVM.",
        subcommands = {Main.Demo.class, Main.Run.class, Main.Bench.class, CostsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    /** Exit codes of {@code run} (and of the other commands where they apply). */
    static final int OK = 0, FAILED = 1, USAGE = 2, LOAD = 3, DEADLOCK = 4, TIME_LIMIT = 5, INTERNAL = 70;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with Ristretto's error handling: a bad option or value is one line on
     * stderr and exit code 2; an unexpected exception is one line and exit code 70.
     */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("ristretto " + c.getCommandName() + ": " + firstLine(e.getMessage()) + " (see --help)");
            c.getErr().flush();
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            c.getErr().println("ristretto: internal error: " + ProgramLoader.oneLine(e));
            c.getErr().flush();
            return INTERNAL;
        });
        return cmd;
    }

    @Override public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Machine and kernel options shared by the commands that boot a system. */
    static final class SystemOptions {
        /** The root task's memory is 16..32 MiB and the kernel keeps the top quarter: it must start at 32 MiB or above. */
        static final long MIN_MEMORY_MIB = 43;
        /** Beyond 2^28 MiB (2^48 bytes) physical addresses outgrow the machine's page tables. */
        static final long MAX_MEMORY_MIB = 1L << 28;
        /** The root task has thread number 66 (after 32 interrupt and 32 system threads); 2^24 slots cost 1 GiB of tables. */
        static final int MIN_THREAD_BITS = 7, MAX_THREAD_BITS = 24;

        @Option(names = "--memory-mib", paramLabel = "MIB",
                description = {"physical memory in MiB (default ${DEFAULT-VALUE}; at least " + MIN_MEMORY_MIB + "). "
                        + "The kernel takes the top quarter: one 4 KiB frame per 4 UTCBs of a space. "
                        + "Host: off-heap direct memory (-XX:MaxDirectMemorySize, by default the heap limit)."})
        long memoryMib = 256;
        @Option(names = "--thread-bits", paramLabel = "N",
                description = {"thread numbers have N bits: 2^N thread slots, less 66 for interrupts, system threads "
                        + "and the root servers (default ${DEFAULT-VALUE}; " + MIN_THREAD_BITS + ".." + MAX_THREAD_BITS + "). "
                        + "A million threads: --thread-bits 20 and enough kernel memory for their UTCBs, a 4 KiB frame "
                        + "per 4 threads of one space (per thread in spaces of their own): --memory-mib 4096 or more; "
                        + "and about 4 KiB of host heap per started thread: RISTRETTO_JVM_OPTS=-Xmx8g."})
        int threadBits = Kernel.Options.defaults().threadBits();
        @Option(names = "--real-clock", description = "follow host time instead of the deterministic virtual clock")
        boolean realClock;
        @Option(names = "--trace", description = "print the kernel event trace after the run")
        boolean trace;
        @Option(names = "--maps", description = "print each space's mappings after the run: virtual ranges, the frames they map, "
                + "rights, status bits (referenced/written/executed) and the mapping each derives from")
        boolean maps;
        @Option(names = "--no-fastpath", description = "IPC through the slow path only")
        boolean noFastPath;
        @Option(names = "--disk", paramLabel = "FILE",
                description = "attach a block device backed by FILE (read and written in 512-byte sectors) on interrupt line 2, "
                        + "for a user-level driver (ristretto.user.drivers.BlockDriver)")
        Path disk;
        @Option(names = "--checked", description = "checked mode: also look for held Java monitors at every kernel entry "
                + "(a thread dump, tens of µs each; for trusted code the loader does not verify)")
        boolean checked;

        /** Refuses impossible values with a one-line usage error (exit code 2). */
        void validate(CommandSpec spec) {
            if (memoryMib <= 0)
                throw usage(spec, "--memory-mib must be positive, not " + memoryMib);
            if (memoryMib < MIN_MEMORY_MIB)
                throw usage(spec, "--memory-mib " + memoryMib + " is too small for the kernel: the root task's memory is 16..32 MiB "
                        + "and the kernel's (the top quarter) must lie above it; use at least " + MIN_MEMORY_MIB);
            if (memoryMib > MAX_MEMORY_MIB)
                throw usage(spec, "--memory-mib " + memoryMib + " is beyond the machine's 48-bit physical addresses (at most " + MAX_MEMORY_MIB + ")");
            if (threadBits < MIN_THREAD_BITS || threadBits > MAX_THREAD_BITS)
                throw usage(spec, "--thread-bits must be " + MIN_THREAD_BITS + ".." + MAX_THREAD_BITS + ", not " + threadBits);
        }

        Machine.Config machine() {
            Machine.Config c = Machine.Config.defaults().withMemory(memoryMib << 20);
            return realClock ? c.withRealClock() : c;
        }

        Kernel.Options kernel() {
            return Kernel.Options.defaults().withCheckedMode(checked).withTracing(trace).withFastPath(!noFastPath)
                    .withThreadBits(threadBits);
        }

        /**
         * Boots, turning a host that cannot give the machine its memory into a usage error.
         *
         * @throws ProgramLoader.LoadException if the root task's program cannot be loaded
         * @throws Ristretto.LinkException if the program's link() fails
         */
        Ristretto boot(CommandSpec spec, ProgramLoader.Root root, List<String> args) throws ProgramLoader.LoadException {
            if (disk != null && !java.nio.file.Files.isRegularFile(disk)) throw usage(spec, "--disk " + disk + ": no such file");
            try {
                Ristretto sys = root.program() != null ? Ristretto.boot(machine(), kernel(), root.program(), args)
                        : Ristretto.boot(machine(), kernel(), root.loading(), root.loader(), args);
                if (disk != null) sys.attachDisk(disk);
                return sys;
            } catch (java.io.IOException e) {
                throw usage(spec, "--disk " + disk + ": " + e.getMessage());
            } catch (OutOfMemoryError e) {
                throw usage(spec, "the host cannot give the machine " + memoryMib + " MiB (" + firstLine(e.getMessage())
                        + "); use less, or a larger -XX:MaxDirectMemorySize in RISTRETTO_JVM_OPTS");
            }
        }

        /** What --trace and --maps ask to see once the machine has halted, one line at a time. */
        void printAfterRun(Kernel k, PrintWriter out) {
            if (trace) k.trace().events().forEach(out::println);
            if (maps) k.mappingReport().forEach(out::println);
            out.flush();
        }

        void report(Ristretto sys, String halt) {
            printAfterRun(sys.kernel(), new PrintWriter(System.out));
            System.out.printf("machine halted at %d µs: %s (%d thread switches)%n",
                    sys.machine().clock().nowMicros(), halt, sys.kernel().switches());
        }
    }

    static CommandLine.ParameterException usage(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    @Command(name = "demo", mixinStandardHelpOptions = true, description = "Boot the default system and run its checks.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin SystemOptions options = new SystemOptions();
        @Spec CommandSpec spec;

        @Override public Integer call() throws ProgramLoader.LoadException {
            options.validate(spec);
            System.out.println("Ristretto: booting the demo system");
            DemoRoot root = new DemoRoot(System.out::println);
            Ristretto sys = options.boot(spec, ProgramLoader.Root.trusted(root), List.of());
            sys.attachConsole(System.out, null);          // the demo prints through the console server and its driver
            sys.attachTimer();
            List<String> kernelReports = new ArrayList<>();
            sys.kernel().setConsole(line -> { kernelReports.add(line); System.out.println("kernel: " + line); });
            String halt;
            try (CarrierWatch carriers = CarrierWatch.start(sys.kernel(), CARRIER_WATCH_NS, report -> {
                System.out.println("demo: failed: " + report);
                System.out.flush();
                System.exit(1);
            })) {
                halt = sys.run();
            }
            options.report(sys, halt);
            boolean ok = root.checks() != null && root.checks().failed() == 0 && kernelReports.isEmpty();
            if (root.checks() == null) System.out.println("demo: 0 passed, 1 failed (the root task did not run)");
            return ok ? 0 : 1;
        }
    }

    /** How often the carrier watch looks at the CPUs of {@code run} and {@code demo} (it reports at the second sighting). */
    static final long CARRIER_WATCH_NS = 100_000_000L;

    /** A time limit as the user wrote it ("5s") and in nanoseconds. */
    record Limit(String text, long nanos) {
        private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|min|h)");

        static Limit parse(String s) {
            Matcher m = FORM.matcher(s.trim());
            if (!m.matches()) throw new CommandLine.TypeConversionException(
                    "'" + s + "' is not a duration: a number and a unit, ns, us, ms, s, min or h (e.g. 500ms, 5s, 2min)");
            long unit = switch (m.group(2)) {
                case "ns" -> 1L; case "us", "µs" -> 1_000L; case "ms" -> 1_000_000L; case "s" -> 1_000_000_000L;
                case "min" -> 60_000_000_000L; default -> 3_600_000_000_000L;
            };
            double ns = Double.parseDouble(m.group(1)) * unit;
            if (ns < 1 || ns > 1e18) throw new CommandLine.TypeConversionException("'" + s + "' is not a duration between 1 ns and 30 years");
            return new Limit(s.trim(), (long) ns);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            header = "Run your ristretto.user.Program as the root task: a source file, or a class (--root).",
            description = {"Boot a system whose root task is your ristretto.user.Program: the first class of a "
                    + "single source file, compiled in memory (like java Hello.java), or a compiled class named with --root. "
                    + "The run lasts until the machine halts: no thread runnable and no timeout pending, or a time limit.",
                    "Arguments after the source file (with --root: all of them; after -- even those that look like "
                    + "options) reach the root task as l4.args().",
                    "Program output goes to stdout; kernel reports and Ristretto's own messages to stderr. "
                    + "When the root task does not finish, stderr says why and lists the threads left, with whom "
                    + "each was sending to or receiving from.",
                    "--trace and --maps print after the run, on stdout: the kernel's event trace, and each space's "
                    + "mappings (which virtual pages map which frames, with what rights, derived from whom) to debug a pager."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                    "0:the root task finished (returned from main)",
                    "1:the root task failed: it threw, a fault stopped it, or it was deleted",
                    "2:usage: unknown option, bad value, impossible --memory-mib or --thread-bits",
                    "3:the program could not be loaded: class or file not found, classpath entry missing, "
                            + "compile error, not a ristretto.user.Program, no public no-arg constructor, "
                            + "static initialiser, constructor or link() threw",
                    "4:deadlock: the machine halted with the root task blocked (or halted by another thread) "
                            + "and nothing left to wake it",
                    "5:a time limit stopped the run (--time-limit or --wall-limit)",
                    "70:internal error: the kernel reported a bug, or Ristretto failed"})
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "FILE.java | ARGS", arity = "0..*",
                description = "without --root: a source file, then the program's arguments; with --root: the arguments")
        List<String> positional = new ArrayList<>();
        @Option(names = "--root", paramLabel = "CLASS", description = "class implementing ristretto.user.Program (public no-arg constructor)")
        String rootClass;
        @Option(names = {"--classpath", "-cp"}, paramLabel = "PATH", description = "where to find it and what a source file compiles against (path list, like java -cp)")
        String classpath;
        @Option(names = "--time-limit", paramLabel = "DURATION", converter = LimitConverter.class,
                description = "stop when machine time reaches DURATION (500ms, 5s, 2min): simulated time on the virtual "
                        + "clock, checked at every 1 ms timer tick")
        Limit timeLimit;
        @Option(names = "--wall-limit", paramLabel = "DURATION", converter = LimitConverter.class,
                description = "stop after DURATION of host time. A program's own code is preempted at its yieldpoints; "
                        + "code that neither enters the kernel nor has yieldpoints (a trusted --root class, a long JDK call) "
                        + "cannot be preempted: such a run is ended by exiting the JVM")
        Limit wallLimit;
        @Option(names = {"--verbose", "-v"}, description = "also say how the run ended when the root task finished")
        boolean verbose;
        @CommandLine.Mixin SystemOptions options = new SystemOptions();
        @Spec CommandSpec spec;

        /** How the wall-clock watchdog ends the JVM when user code cannot be stopped (tests replace it). */
        IntConsumer hardExit = System::exit;
        /** How long the watchdog waits for the machine to stop before it ends the JVM. */
        long hardExitGraceNs = 2_000_000_000L;

        @Override public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                return run(err);
            } finally {
                err.flush();
                spec.commandLine().getOut().flush();
            }
        }

        private int run(PrintWriter err) {
            options.validate(spec);
            ProgramLoader.Root root;
            List<String> args;
            try {
                if (rootClass != null) {
                    args = positional;
                    root = ProgramLoader.fromClass(rootClass, classpath);
                } else if (positional.isEmpty()) {
                    throw usage(spec, "no program: give a source file (Hello.java) or --root CLASS");
                } else if (!positional.getFirst().endsWith(".java")) {
                    throw usage(spec, "'" + positional.getFirst() + "' is not a .java source file; give one, or --root CLASS");
                } else {
                    args = positional.subList(1, positional.size());
                    root = ProgramLoader.fromSource(Path.of(positional.getFirst()), classpath, err);
                }
            } catch (ProgramLoader.LoadException e) {
                err.println("ristretto: " + e.getMessage());
                return LOAD;
            }
            Ristretto sys;
            try {
                sys = options.boot(spec, root, args);
            } catch (ProgramLoader.LoadException e) {
                err.println("ristretto: " + e.getMessage());
                return LOAD;
            } catch (Ristretto.LinkException e) {
                err.println("ristretto: " + firstLine(e.getMessage()));
                return LOAD;
            }
            Kernel k = sys.kernel();
            boolean[] kernelBug = {false};
            k.setConsole(line -> {
                if (line.startsWith("KERNEL BUG")) kernelBug[0] = true;
                err.println("kernel: " + (kernelBug[0] ? line : userStack(line)));
                err.flush();
            });
            if (timeLimit != null) k.setTimeLimitNs(timeLimit.nanos());
            String halt;
            Watchdog watchdog = wallLimit == null ? null : new Watchdog(wallLimit, sys, err);
            CarrierWatch carriers = CarrierWatch.start(k, CARRIER_WATCH_NS, report -> {
                err.println("ristretto: failed: " + report);
                printThreads(err, sys.outcome("").unfinished(), k);     // as last seen: the carrier is stuck
                err.flush();
                System.out.flush();
                hardExit.accept(FAILED);
            });
            try {
                halt = sys.run();
            } finally {
                carriers.close();
                if (watchdog != null) watchdog.close();
            }
            options.printAfterRun(k, spec.commandLine().getOut());
            System.out.flush();
            if (watchdog != null && watchdog.hardExited) return TIME_LIMIT;

            RunOutcome outcome = sys.outcome(halt);
            long now = sys.machine().clock().nowMicros();
            String at = " (machine time " + now + " µs, " + k.switches() + " thread switches)";
            int code = switch (outcome.status()) {
                case FINISHED -> {
                    if (verbose) err.println("ristretto: " + outcome.summary() + at);
                    yield OK;
                }
                case FAILED -> {
                    err.println("ristretto: failed: " + outcome.summary() + at);
                    yield FAILED;
                }
                case DEADLOCKED -> {
                    err.println("ristretto: " + outcome.summary() + at);
                    yield DEADLOCK;
                }
                case TIME_LIMIT -> {
                    err.println("ristretto: stopped: " + (watchdog != null && (watchdog.fired || timeLimit == null)
                            ? "wall-clock limit of " + wallLimit.text() + " reached"
                            : "time limit of " + timeLimit.text() + " of machine time reached") + at);
                    yield TIME_LIMIT;
                }
            };
            if (code != OK) printThreads(err, outcome.unfinished(), k);
            if (kernelBug[0]) {
                err.println("ristretto: the kernel reported a bug (see above)");
                return INTERNAL;
            }
            return code;
        }

        /**
         * A thread's stack as the kernel reports it, cut where Ristretto started the thread's
         * code: what lies below (the kernel's dispatcher, the launcher) says nothing about the program.
         */
        static String userStack(String line) {
            if (!line.startsWith("  stack:")) return line;
            int cut = line.indexOf("\n    at " + Ristretto.class.getName() + ".");
            return cut < 0 ? line : line.substring(0, cut) + "\n    ... (Ristretto)";
        }

        /** The report: which threads were left, in what state, on whom; at most 20 lines. */
        static void printThreads(PrintWriter err, List<ThreadReport> threads, Kernel k) {
            if (threads.isEmpty()) return;
            err.println("ristretto: threads left (" + threads.size() + "):");
            int shown = 0;
            for (ThreadReport t : threads) {
                if (shown++ == 20) {
                    err.println("  ... and " + (threads.size() - 20) + " more");
                    break;
                }
                String who = t.globalId() == k.rootTaskId() ? " (root task)" : t.globalId() == k.sigma0Id() ? " (sigma0)" : "";
                err.println("  " + ThreadId.toString(t.globalId()) + who + " " + RunOutcome.describe(t));
            }
        }

        /**
         * The wall-clock limit: a host thread that, when the limit passes, sets the machine's time
         * limit to now (the kernel halts at its next timer tick), then, if the machine is still
         * running after a grace period — user code spinning without entering the kernel — prints
         * what it can and ends the JVM with the time-limit exit code.
         */
        final class Watchdog implements AutoCloseable {
            private final Thread thread;
            private final Object lock = new Object();
            private boolean closed;
            volatile boolean fired, hardExited;

            Watchdog(Limit limit, Ristretto sys, PrintWriter err) {
                thread = Thread.ofPlatform().daemon(true).name("ristretto-wall-limit").unstarted(() -> {
                    try {
                        Thread.sleep(java.time.Duration.ofNanos(limit.nanos()));
                        fired = true;
                        sys.kernel().setTimeLimitNs(0);                 // the machine halts when it next checks events:
                        sys.machine().cpu(0).requestCheck();            // at the next kernel entry or memory access
                        Thread.sleep(java.time.Duration.ofNanos(hardExitGraceNs));
                    } catch (InterruptedException e) {
                        return;
                    }
                    synchronized (lock) {
                        if (closed) return;
                        hardExited = true;
                    }
                    err.println("ristretto: stopped: wall-clock limit of " + limit.text() + " reached, and the running "
                            + "thread is in Java code that never enters the kernel and has no yieldpoints (trusted code, or a "
                            + "long JDK call): it cannot be preempted, so the JVM exits");
                    printThreads(err, sys.outcome("").unfinished(), sys.kernel());   // as last seen: the machine still runs
                    err.flush();
                    System.out.flush();
                    hardExit.accept(TIME_LIMIT);
                });
                thread.start();
            }

            @Override public void close() {
                synchronized (lock) { closed = true; }
                thread.interrupt();
            }
        }
    }

    static final class LimitConverter implements CommandLine.ITypeConverter<Limit> {
        @Override public Limit convert(String value) { return Limit.parse(value); }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, description = "Run benchmarks (JMH).",
            subcommands = {PingPongCommand.class, SandboxCommand.class, MemoryCommand.class, StringsCommand.class, IrqCommand.class})
    static final class Bench implements Callable<Integer> {
        @Override public Integer call() {
            new CommandLine(this).usage(System.out);
            return 0;
        }
    }
}
