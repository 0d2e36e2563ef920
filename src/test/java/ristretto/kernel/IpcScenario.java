package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.machine.Machine;
import ristretto.system.Harness;
import ristretto.system.Ristretto;
import ristretto.user.Entry;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/**
 * Scaffolding of the IPC tests: a root program (the l4test main thread, §16.1) that creates
 * threads running lambda bodies, in its own space or in fresh ones, and acts as their pager,
 * starter and scheduler. Every body runs at one entry point; which body a thread runs is passed
 * as its start-up SP. Bodies record what they see into lists; the tests assert after the machine
 * has halted (never inside an L4 thread).
 */
final class IpcScenario {
    /** A small machine: kernel memory is the top quarter, the root's 16 MiB image sits at 16 MiB. */
    static final Machine.Config MACHINE = Machine.Config.defaults().withMemory(48L << 20);
    /** The root task's UTCB area, fixed at boot; its UTCB is slot 0. */
    static final long ROOT_UTCB_BASE = Fpage.address(Boot.ROOT_UTCB_AREA);

    /** The root task's body: it gets a {@link Root} with the helpers. */
    @FunctionalInterface
    interface RootBody {
        void run(Root root) throws Exception;
    }

    private final List<Entry> bodies = new ArrayList<>();
    private final Scenario program = new Scenario();
    /** The kernel the scenario runs on: root bodies may inspect it (read only). */
    private Kernel kernel;

    /** One entry point runs every body: the start-up SP says which. */
    private IpcScenario(RootBody rootBody) {
        program.entry("ipc-test-thread", l4 -> bodies.get((int) l4.startSp()).run(l4));
        program.main(l4 -> rootBody.run(new Root(l4)));
    }

    /** Boots a machine with this root program, runs it to the halt, checks it ended cleanly. */
    static Harness run(Kernel.Options options, RootBody root) {
        Harness r = runRaw(options, root);
        assertClean(r);
        return r;
    }

    static Harness run(RootBody root) { return run(Harness.testOptions(), root); }

    /**
     * The virtual-time watchdog of every scenario (1000 s): far beyond any scenario's needs, so a
     * runaway (livelocked) program halts with a clear reason instead of hanging the build.
     */
    static final long TIME_LIMIT_NS = 1000L * 1_000_000_000L;

    /** Runs without the clean-halt check (for scenarios expected to stop a thread). */
    static Harness runRaw(Kernel.Options options, RootBody root) { return runRaw(options, TIME_LIMIT_NS, root); }

    /** Runs with a virtual-time limit (Long.MAX_VALUE: none), without the clean-halt check. */
    static Harness runRaw(Kernel.Options options, long timeLimitNs, RootBody root) {
        IpcScenario s = new IpcScenario(root);
        Harness h = Harness.boot(MACHINE, options, s.program, timeLimitNs);
        s.kernel = h.kernel();
        return h.runToHalt();
    }

    /** Runs without a virtual-time limit (for timeouts of up to 2^31 periods), checks a clean halt. */
    static Harness runUnlimited(RootBody root) {
        Harness r = runRaw(Harness.testOptions(), Long.MAX_VALUE, root);
        assertClean(r);
        return r;
    }

    /** No thread was stopped by an exception (user or kernel) and the machine halted normally. */
    static void assertClean(Harness h) {
        for (String line : h.console)
            assertTrue(!line.contains("stopped") && !line.contains("KERNEL BUG"), () -> "console: " + String.join("\n", h.console));
        assertEquals("no runnable thread and nothing left to wake", h.haltReason);
    }

    /** The root task's helpers: thread creation as in l4test, priorities, deletion, sleeping. */
    final class Root {
        final L4 l4;
        final Threads threads;
        private final Map<Long, Integer> nextSlot = new HashMap<>();

        Root(L4 l4) {
            this.l4 = l4;
            this.threads = new Threads(l4);
        }

        private int register(Entry body) {
            bodies.add(body);
            return bodies.size() - 1;
        }

        /** A thread in the root's space, started with the start-up message (root = its pager). */
        long local(Entry body) { return threads.inMySpace(ip(), register(body)); }

        /** A thread in a fresh space of its own (inactive create, SpaceControl, activate, start). */
        long remote(Entry body) { return threads.inNewSpace(ip(), register(body)); }

        /** A further thread in the space of {@code spaceOf}, which {@link #remote} created. */
        long sibling(long spaceOf, Entry body) {
            int slot = nextSlot.merge(spaceOf, 1, Integer::sum);
            return threads.inSpaceOf(spaceOf, slot, ip(), register(body));
        }

        /** The IP and the start-up SP value that make a thread run {@code body}. */
        long ip() { return program.ip("ipc-test-thread"); }

        long sp(Entry body) { return register(body); }

        void prio(long t, int prio) {
            long r = l4.setPriority(t, prio);
            if (r == Schedule.ERROR) throw new IllegalStateException("Schedule failed: " + l4.errorCode());
        }

        boolean kill(long t) { return threads.kill(t); }

        void sleep(long micros) { l4.sleepMicros(micros); }

        /** The kernel, for read-only inspection from the root body (tests only). */
        Kernel kernel() { return kernel; }

        /** Schedule's view of a thread's state (§11.3). */
        long state(long t) { return l4.threadState(t); }
    }

    // ------------------------------------------------------------------------- observations

    /** What one IPC returned: MR0, From, and the ErrorCode TCR when MR0 has the E bit. */
    record Outcome(long tag, long from, long errorCode) {
        static Outcome of(L4 l4) {
            long tag = l4.mr(0);
            return new Outcome(tag, l4.from(), MsgTag.isError(tag) ? l4.errorCode() : -1);
        }

        boolean ok() { return !MsgTag.isError(tag); }

        long label() { return MsgTag.label(tag); }

        int u() { return MsgTag.u(tag); }

        @Override public String toString() {
            return (ok() ? "ok " : IpcError.toString(errorCode) + " ") + MsgTag.toString(tag) + " from=" + ThreadId.toString(from);
        }
    }

    /** The ErrorCode word of an IPC error (offset 0). */
    static long err(int phase, int error) { return IpcError.encode(phase, error, 0); }

    static final int SEND = IpcError.PHASE_SEND, RECV = IpcError.PHASE_RECEIVE;

    /** The words MR1..MRn of the current message. */
    static long[] words(L4 l4, int n) {
        long[] w = new long[n];
        for (int i = 0; i < n; i++) w[i] = l4.mr(i + 1);
        return w;
    }

    /** Waits until virtual time is at a whole microsecond (a wake-up from idle lands on one). */
    static void align(L4 l4) { l4.sleep(Timeout.period(1)); }
}
