package ristretto.system;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.ExRegs;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.machine.Machine;
import ristretto.user.Entry;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/**
 * What happens when user code misbehaves: exceptions, returning from the entry point, system
 * calls under a Java monitor, bad memory accesses. The thread stops with a clear report; the
 * machine and every other thread carry on.
 *
 * <p>Lives outside the kernel package on purpose: its user code must look like any user
 * program's, so that the kernel tells its exceptions from kernel bugs.
 */
class UserFaultTest {

    private static final long A = ThreadId.global(67, 1);
    private static final long MEM = Ristretto.ROOT_MEMORY_BASE;
    private static final Machine.Config MACHINE = Machine.Config.defaults().withMemory(64L << 20);

    /** A root program made of named entry points and a main body; threads start in order via {@link Threads}. */
    private static final class Prog implements Program {
        final List<String> log = new ArrayList<>();
        final Map<String, Entry> entries = new LinkedHashMap<>();
        final Map<String, Long> ips = new LinkedHashMap<>();
        Entry main;

        Prog entry(String name, Entry e) { entries.put(name, e); return this; }

        long ip(String name) { return ips.get(name); }

        @Override public void link(Linker linker) { entries.forEach((n, e) -> ips.put(n, linker.entry(n, e))); }

        @Override public void main(L4 l4) throws Exception { main.run(l4); }

        Harness run() { return Harness.run(MACHINE, Harness.testOptions(), this); }
    }

    private static void spin(L4 l4, long addr, long n) {
        for (long i = 0; i < n; i++) l4.store(addr, l4.load(addr) + 1);
    }

    /** A with the given body, then B, which must run and finish regardless; the root watches. */
    private static Harness runWithVictim(Prog s, Entry victim) {
        s.entry("victim", l4 -> {
            l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
            victim.run(l4);
        });
        s.entry("bystander", l4 -> {
            spin(l4, MEM + 64, 1000);
            s.log.add("bystander done");
        });
        s.main = l4 -> {
            Threads threads = new Threads(l4);
            long a = threads.inMySpace(s.ip("victim"), 0);
            threads.inMySpace(s.ip("bystander"), 0);
            l4.sleepMicros(1000);
            s.log.add("victim " + Schedule.resultName(l4.threadState(a)));
        };
        return s.run();
    }

    private static String consoleText(Harness h) { return String.join("\n", h.console); }

    /** The kernel reported a user fault, never a kernel bug. */
    private static void userFault(Harness h) {
        assertFalse(consoleText(h).contains("KERNEL BUG"), consoleText(h));
        assertFalse(h.kernel().stopReason(A).startsWith("KERNEL BUG"), h.kernel().stopReason(A));
    }

    @Test
    void anExceptionStopsTheThreadWithAReportAndOthersCarryOn() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> {
            s.log.add("victim starts");
            throw new IllegalStateException("boom");
        });
        assertEquals(List.of("victim starts", "bystander done", "victim inactive"), s.log);
        assertTrue(consoleText(h).contains("thread 67.1 (entry victim) stopped: java.lang.IllegalStateException: boom"), consoleText(h));
        assertTrue(h.kernel().stopReason(A).contains("IllegalStateException: boom"), h.kernel().stopReason(A));
        assertEquals("halted", h.kernel().stateOf(A));
        assertEquals("no runnable thread and nothing left to wake", h.haltReason);
        assertTrue(h.kernel().stopReason(A).startsWith("user code threw"), h.kernel().stopReason(A));
        userFault(h);
    }

    @Test
    void aCheckedExceptionIsReportedWithItsCause() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> { throw new java.io.IOException("disk on fire"); });
        assertEquals(List.of("bystander done", "victim inactive"), s.log);
        assertTrue(consoleText(h).contains("disk on fire"), consoleText(h));
        assertTrue(h.kernel().stopReason(A).contains("IOException"), h.kernel().stopReason(A));
        userFault(h);
    }

    @Test
    void aStackOverflowStopsOnlyThatThread() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> s.log.add("depth " + recurse(0)));
        assertEquals(List.of("bystander done", "victim inactive"), s.log);
        assertTrue(h.kernel().stopReason(A).contains("StackOverflowError"), h.kernel().stopReason(A));
        userFault(h);
    }

    private static int recurse(int n) { return recurse(n + 1) + 1; }

    @Test
    void returningFromTheEntryPointHaltsTheThread() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> s.log.add("victim returns"));
        assertEquals(List.of("victim returns", "bystander done", "victim inactive"), s.log);
        assertEquals("halted", h.kernel().stateOf(A));
        assertEquals("returned from its entry point", h.kernel().stopReason(A));
        assertFalse(consoleText(h).contains("67.1"), "a normal return is no error: " + consoleText(h));
    }

    @Test
    void aSystemCallUnderAJavaMonitorIsStoppedInCheckedModeAndNothingHangs() {
        Object lock = new Object();
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> {
            synchronized (lock) {
                l4.systemClock();
                s.log.add("must not get here");
            }
        });
        assertEquals(List.of("bystander done", "victim inactive"), s.log);
        assertTrue(consoleText(h).contains("IllegalMonitorStateException"), consoleText(h));
        assertTrue(h.kernel().stopReason(A).contains("IllegalMonitorStateException"), h.kernel().stopReason(A));
        assertTrue(h.kernel().stopReason(A).contains("Java monitor"), h.kernel().stopReason(A));
        assertFalse(Thread.holdsLock(lock), "the monitor was released when the thread stopped");
        userFault(h);
    }

    @Test
    void aThreadPreemptedWhileHoldingAJavaMonitorIsStoppedInCheckedMode() {
        Object lock = new Object();
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> {
            synchronized (lock) { spin(l4, MEM, 20_000_000); }    // ~40 ms: several timeslices
            s.log.add("must not get here");
        });
        // The root's wake-up at 1 ms preempts the victim: that is where it is caught.
        assertEquals(List.of("victim inactive", "bystander done"), s.log);
        assertTrue(h.kernel().stopReason(A).contains("IllegalMonitorStateException"), h.kernel().stopReason(A));
        assertFalse(Thread.holdsLock(lock));
    }

    @Test
    void anotherThreadCanTakeTheMonitorAfterTheOffenderWasStopped() {
        Object lock = new Object();
        Prog s = new Prog();
        s.entry("offender", l4 -> { synchronized (lock) { l4.yieldCpu(); } });
        s.entry("second", l4 -> {
            synchronized (lock) { s.log.add("second took the lock"); }
            l4.systemClock();
            s.log.add("second made a system call");
        });
        s.main = l4 -> {
            Threads threads = new Threads(l4);
            threads.inMySpace(s.ip("offender"), 0);
            threads.inMySpace(s.ip("second"), 0);
        };
        Harness h = s.run();
        assertEquals(List.of("second took the lock", "second made a system call"), s.log);
        assertEquals("halted", h.kernel().stateOf(A));
    }

    @Test
    void aMisalignedLoadStopsTheThreadWithAReport() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> {
            l4.load(MEM + 4);
            s.log.add("must not get here");
        });
        assertEquals(List.of("bystander done", "victim inactive"), s.log);
        assertEquals("misaligned read at 0x1000004, and the thread has no exception handler", h.kernel().stopReason(A));
        assertTrue(consoleText(h).contains("thread 67.1 (entry victim) stopped: misaligned read at 0x1000004, and the thread has no exception handler"),
                consoleText(h));
    }

    @Test
    void aMisalignedStoreStopsTheThreadAndWritesNothing() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> l4.store(MEM + 12, -1));
        assertEquals("misaligned write at 0x100000c, and the thread has no exception handler", h.kernel().stopReason(A));
        assertEquals(List.of("bystander done", "victim inactive"), s.log);
        var memory = h.system.machine().memory();        // the root's memory is mapped 1:1
        assertEquals(0, memory.load(MEM + 8));
        assertEquals(0, memory.load(MEM + 16));
    }

    @Test
    void anUnmappedAccessStopsTheThreadWithAPageFaultReport() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> {
            l4.load(0x4000_0000L);
            s.log.add("must not get here");
        });
        assertEquals(List.of("bystander done", "victim inactive"), s.log);
        assertTrue(h.kernel().stopReason(A).startsWith("page fault: read at 0x40000000 is not mapped"), h.kernel().stopReason(A));
        assertTrue(consoleText(h).contains("thread 67.1 stopped: page fault: read at 0x40000000"), consoleText(h));
    }

    @Test
    void writingTheCodeImageIsAProtectionFault() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> l4.store(l4.startIp(), 0));
        assertTrue(h.kernel().stopReason(A).matches("protection fault: write at 0x10[0-9a-f]+, which is mapped r-x, and the thread has no pager"), h.kernel().stopReason(A));
    }

    @Test
    void accessesBeyondTheUserAreaAreFaultsNotCrashes() {
        Prog s = new Prog();
        Harness h = runWithVictim(s, l4 -> l4.load(1L << 48));
        assertTrue(h.kernel().stopReason(A).startsWith("page fault: read at 0x1000000000000"), h.kernel().stopReason(A));
        Prog s2 = new Prog();
        Harness h2 = runWithVictim(s2, l4 -> l4.load(-8));
        assertTrue(h2.kernel().stopReason(A).startsWith("page fault: read at 0xfffffffffffffff8"), h2.kernel().stopReason(A));
    }

    @Test
    void aFaultedThreadCanBeRestartedElsewhereWithExchangeRegisters() {
        Prog s = new Prog();
        s.entry("faulty", l4 -> {
            l4.setPager(ThreadId.NIL);
            l4.load(0x4000_0000L);
        });
        s.entry("healthy", l4 -> s.log.add("healthy runs"));
        s.main = l4 -> {
            long t = new Threads(l4).inMySpace(s.ip("faulty"), 0);
            l4.sleepMicros(1000);
            s.log.add("faulted: " + Schedule.resultName(l4.threadState(t)));
            l4.exchangeRegisters(t, ExRegs.SET_IP | ExRegs.HALT_VALID, s.ip("healthy"), 0, 0, 0, ThreadId.NIL);
            l4.sleepMicros(1000);
        };
        s.run();
        assertEquals(List.of("faulted: inactive", "healthy runs"), s.log);
    }

    @Test
    void anIpThatIsNoEntryPointStopsTheThread() {
        Prog s = new Prog();
        s.main = l4 -> {
            long t = new Threads(l4).inMySpace(MEM, 0);    // data, not code: no execute right
            l4.sleepMicros(1000);
            s.log.add(Schedule.resultName(l4.threadState(t)));
        };
        Harness h = s.run();
        assertEquals(List.of("inactive"), s.log);
        assertTrue(h.kernel().stopReason(A).contains("no executable entry point at IP 0x1000000"), h.kernel().stopReason(A));
    }
}
