package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.load.ClassTransform;
import ristretto.kernel.load.Compiled;
import ristretto.kernel.load.LoadRefused;
import ristretto.kernel.load.Loading;
import ristretto.kernel.load.ProgramSource;
import ristretto.kernel.load.SpaceLoader;
import ristretto.kernel.mem.Space;
import ristretto.system.Harness;
import ristretto.system.Ristretto;
import ristretto.user.L4;

/**
 * Program images ({@code Linker.image}): a thread that starts at one loads the class through its
 * own space's loader, so two spaces running the same program have separate statics and two
 * threads of one space share them; code a program linked belongs to its space; a program that
 * cannot be loaded stops its thread like a fault and leaves the kernel whole. The programs are
 * compiled in memory: the test's own class path does not hold them.
 */
class ProgramImageTest {

    /** Counts its starts in a static and reports the count to its pager. */
    private static final String COUNTER = """
            import ristretto.user.*;
            public class Counter implements Program {
                static long count;
                public void main(L4 l4) {
                    count++;
                    l4.loadMsg(0, count);
                    l4.send(l4.pager());
                }
            }
            """;
    /** Links an entry point of its own and sends its IP; the entry counts its runs in a static. */
    private static final String LINKING = """
            import ristretto.user.*;
            public class Linking implements Program {
                static long runs;
                long helper;
                public void link(Linker linker) {
                    helper = linker.entry("helper", l4 -> { runs++; l4.loadMsg(0, runs); l4.send(l4.pager()); });
                }
                public void main(L4 l4) {
                    runs++;
                    l4.loadMsg(0, helper, runs);
                    l4.send(l4.pager());
                }
            }
            """;
    private static final String BAD_STATIC = """
            public class BadStatic implements ristretto.user.Program {
                static final long X = Long.parseLong("not a number");
                public void main(ristretto.user.L4 l4) {}
            }
            """;
    private static final String REFUSED = """
            public class Refused implements ristretto.user.Program {
                public void main(ristretto.user.L4 l4) {}
            }
            """;
    /** Looks for kernel classes by name, reports what it found, then uses one without catching. */
    private static final String PEEK = """
            import ristretto.user.*;
            public class Peek implements Program {
                public void main(L4 l4) throws Exception {
                    long hidden = 0;
                    for (String n : new String[] {"ristretto.kernel.Kernel", "ristretto.kernel.thread.Tcb",
                            "ristretto.kernel.load.SpaceLoader", "ristretto.machine.Machine", "ristretto.system.Ristretto"})
                        try { Class.forName(n); } catch (ClassNotFoundException e) { hidden++; }
                    long shared = Class.forName("ristretto.user.L4") == L4.class ? 1 : 0;
                    l4.loadMsg(0, hidden, shared);
                    l4.send(l4.pager());
                    Class.forName("ristretto.kernel.Kernel");
                }
            }
            """;
    private static final String TOUCH = """
            public class Touch implements ristretto.user.Program {
                public void main(ristretto.user.L4 l4) { System.out.println(ristretto.kernel.Kernel.class); }
            }
            """;

    /**
     * A static initialiser that makes system calls: it runs pinned to the carrier (the JVM calls it
     * through a native frame), so it may neither block nor be switched away from.
     */
    private static final String IN_INIT = """
            import ristretto.user.*;
            public class InInit implements Program {
                static L4 l4;
                static class Blocks { static long t; static { t = l4.systemClock(); l4.sleepMicros(10); } }
                static class Touches { static long v; static { long kip = l4.kernelInterface(); for (int i = 0; i < 100_000; i++) if (l4.load(kip) != 0) v++; } }
                public void main(L4 l4) {
                    InInit.l4 = l4;
                    long blocked = 0, touched = 0;
                    try { blocked = Blocks.t; } catch (ExceptionInInitializerError e) { blocked = e.getCause().getMessage().contains("inside a static initialiser") ? -1 : -2; }
                    try { touched = Touches.v; } catch (ExceptionInInitializerError e) { touched = -2; }
                    l4.loadMsg(0, blocked, touched);
                    l4.send(l4.pager());
                }
            }
            """;

    private static final ProgramSource PROGRAMS = Compiled.source(COUNTER, LINKING, BAD_STATIC, REFUSED, PEEK, TOUCH, IN_INIT);
    private static final Loading LOADING = new Loading(PROGRAMS, (name, bytes) -> {
        if (name.equals("Refused")) throw new LoadRefused("Refused.main: not allowed by this test");
        return bytes;
    });

    /**
     * A sandboxed program's static initialiser may not make a system call (it could block or be
     * preempted inside it, pinned to the carrier); a memory access there works, its events wait.
     */
    @Test
    void aStaticInitialiserCannotBlockInTheKernel() {
        long[] ids = new long[1];
        List<String> log = new ArrayList<>();
        Scenario s = new Scenario().image("init", "InInit").loading(ristretto.kernel.load.Sandbox.loading(PROGRAMS));
        s.main(l4 -> {
            ids[0] = id(l4, 1);
            startInNewSpace(l4, ids[0], s.ip("init"));
            long tag = l4.receive(ids[0]);
            log.add(ristretto.user.L4.failed(tag) ? "no answer" : "blocked " + l4.mr(1) + ", touched " + l4.mr(2));
        });
        Harness h = s.run();
        // The blocking call was refused (-1); the loads ran (past a timer tick: its events waited).
        assertEquals(List.of("blocked -1, touched 100000"), log, String.join("\n", h.console));
        assertEquals(List.of(), h.kernel().invariantViolations());
        for (String line : h.console) assertFalse(line.contains("KERNEL BUG"), line);
    }

    /** Creates {@code t} active in the space of {@code sibling}, at UTCB slot {@code slot} of a new space's area. */
    private static void createInSpaceOf(L4 l4, long t, long sibling, int slot) {
        long me = l4.myGlobalId();
        if (!l4.threadControl(t, sibling, me, me, NEW_UTCB_BASE + (long) Utcb.SIZE * slot))
            throw new IllegalStateException("create: " + l4.errorCode());
    }

    private static Space spaceOf(Harness h, long id) { return h.kernel().threads.lookupGlobal(id).space; }

    @Test
    void twoSpacesRunningTheSameImageHaveSeparateStatics() {
        List<String> log = new ArrayList<>();
        long[] ids = new long[3];
        Scenario s = new Scenario().image("counter", "Counter").loading(LOADING);
        s.main(l4 -> {
            long a = id(l4, 1), a2 = id(l4, 2), b = id(l4, 3);
            ids[0] = a;
            ids[1] = a2;
            ids[2] = b;
            startInNewSpace(l4, a, s.ip("counter"));
            l4.receive(a);
            log.add("A counted " + l4.mr(1));
            createInSpaceOf(l4, a2, a, 1);
            l4.startThread(a2, s.ip("counter"), 0);
            l4.receive(a2);
            log.add("A's second thread counted " + l4.mr(1));
            startInNewSpace(l4, b, s.ip("counter"));
            l4.receive(b);
            log.add("B counted " + l4.mr(1));
        });
        Harness h = s.run();
        assertEquals(List.of("A counted 1", "A's second thread counted 2", "B counted 1"), log, String.join("\n", h.console));
        SpaceLoader a = spaceOf(h, ids[0]).loader, b = spaceOf(h, ids[2]).loader;
        assertSame(a, spaceOf(h, ids[1]).loader, "one loader per space");
        assertNotSame(a, b);
        assertEquals("space-" + spaceOf(h, ids[0]).id, a.getName());
        assertNull(spaceOf(h, h.kernel().rootTaskId()).loader, "the test's root task is trusted host code: no loader of its own");
        assertEquals("returned from its entry point", h.kernel().stopReason(ids[2]));
        for (SpaceLoader l : List.of(a, b))
            System.out.printf("program image load, %s: %d classes, %.1f µs per class%n", l.getName(), l.definedClasses(),
                    l.loadNanos() / 1e3 / l.definedClasses());
    }

    @Test
    void aProgramThatCannotBeLoadedStopsItsThreadWithOneLineAndCanBeRestarted() {
        List<String> log = new ArrayList<>();
        long[] ids = new long[4];
        Scenario s = new Scenario().image("missing", "NoSuchProgram").image("badStatic", "BadStatic")
                .image("refused", "Refused").image("counter", "Counter").loading(LOADING);
        s.main(l4 -> {
            for (int i = 0; i < 4; i++) ids[i] = id(l4, i + 1);
            startHere(l4, ids[0], 1, s.ip("missing"));            // in the root's space, so that it may restart it
            startInNewSpace(l4, ids[1], s.ip("badStatic"));
            startInNewSpace(l4, ids[2], s.ip("refused"));
            l4.sleepMicros(100);                                    // all three have stopped
            startInNewSpace(l4, ids[3], s.ip("counter"));
            l4.receive(ids[3]);
            log.add("a fresh space still loads: " + l4.mr(1));
            l4.start(ids[0], s.ip("counter"), 0);                   // the stopped thread, at a program that exists
            l4.receive(ids[0]);
            log.add("restarted at another image: " + l4.mr(1));
        });
        Harness h = s.run();                                        // and no kernel bug, every invariant holds
        assertEquals(List.of("a fresh space still loads: 1", "restarted at another image: 1"), log, String.join("\n", h.console));
        List<String> expected = List.of(
                "thread 67.1 stopped: cannot start image NoSuchProgram in space-2: class NoSuchProgram not found on test sources",
                "thread 68.1 stopped: cannot start image BadStatic in space-3: the static initialiser of BadStatic failed: "
                        + "java.lang.NumberFormatException: For input string: \"not a number\"",
                "thread 69.1 stopped: cannot start image Refused in space-4: class Refused was refused: Refused.main: not allowed by this test");
        assertEquals(expected, h.console);
        assertEquals(expected.get(1).substring("thread 68.1 stopped: ".length()), h.kernel().stopReason(ids[1]));
        assertEquals("halted", h.kernel().stateOf(ids[2]));
    }

    @Test
    void codeAProgramLinkedBelongsToItsSpace() {
        List<String> log = new ArrayList<>();
        long[] ids = new long[5];
        Scenario s = new Scenario().image("linking", "Linking").image("counter", "Counter").loading(LOADING);
        s.main(l4 -> {
            for (int i = 0; i < 5; i++) ids[i] = id(l4, i + 1);
            long a = ids[0], b = ids[1], b2 = ids[2], a2 = ids[3], c = ids[4];
            startInNewSpace(l4, a, s.ip("linking"));
            l4.receive(a);
            long helper = l4.mr(1);
            log.add("A's program ran " + l4.mr(2));
            startInNewSpace(l4, b, s.ip("counter"));               // B runs a program of its own
            l4.receive(b);
            createInSpaceOf(l4, b2, b, 1);
            l4.startThread(b2, helper, 0);
            createInSpaceOf(l4, a2, a, 1);
            l4.startThread(a2, helper, 0);
            l4.receive(a2);
            log.add("A's helper ran " + l4.mr(1));
            startInNewSpace(l4, c, helper);                        // a space with no program of its own
            l4.sleepMicros(100);                                   // C runs, and stops
            log.add("a space without a program: " + ristretto.abi.Schedule.resultName(l4.threadState(c)));
            log.add("B's thread: " + ristretto.abi.Schedule.resultName(l4.threadState(b2)));
        });
        Harness h = s.run();
        assertEquals(List.of("A's program ran 1", "A's helper ran 2", "a space without a program: inactive", "B's thread: inactive"),
                log, String.join("\n", h.console));
        assertEquals(2, h.console.size(), String.join("\n", h.console));
        assertTrue(h.console.get(0).matches("thread 69\\.1 stopped: no executable entry point at IP 0x[0-9a-f]+ in space-4: "
                + "helper was linked by the program of space-3"), h.console.get(0));
        // Not even a space without a program of its own runs another space's code (and shares its statics).
        assertTrue(h.console.get(1).matches("thread 71\\.1 stopped: no executable entry point at IP 0x[0-9a-f]+ in a space "
                + "with no program: helper was linked by the program of space-3"), h.console.get(1));
        assertNull(spaceOf(h, ids[4]).loader);
    }

    @Test
    void programsCannotNameTheKernel() {
        List<String> log = new ArrayList<>();
        long[] ids = new long[2];
        Scenario s = new Scenario().image("peek", "Peek").image("touch", "Touch").loading(LOADING);
        s.main(l4 -> {
            ids[0] = id(l4, 1);
            ids[1] = id(l4, 2);
            startInNewSpace(l4, ids[0], s.ip("peek"));
            l4.receive(ids[0]);
            log.add("hidden " + l4.mr(1) + ", user library shared " + l4.mr(2));
            startInNewSpace(l4, ids[1], s.ip("touch"));
            l4.sleepMicros(100);
        });
        Harness h = s.run();                                        // the program's failures, not kernel bugs
        assertEquals(List.of("hidden 5, user library shared 1"), log);
        assertEquals("user code threw " + Ristretto.UserProgramException.class.getName()
                + ": java.lang.ClassNotFoundException: ristretto.kernel.Kernel is not visible to programs of "
                + "space-3: of Ristretto's classes only ristretto.abi and ristretto.user are shared", h.kernel().stopReason(ids[0]));
        assertEquals("user code threw java.lang.NoClassDefFoundError: ristretto/kernel/Kernel", h.kernel().stopReason(ids[1]));
        assertEquals(ThreadId.global(67, 1), ids[0]);
    }
}
