package ristretto.system;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.ThreadId;
import ristretto.kernel.ThreadReport;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/** The kernel's thread reports and the verdict on a run built from them. */
class RunOutcomeTest {

    private static final long ROOT = ThreadId.global(66, 1), SIGMA0 = ThreadId.global(64, 1);
    private static final long A = ThreadId.global(67, 1), B = ThreadId.global(68, 1), C = ThreadId.global(69, 1);

    /** A sends to the root task (which never receives), B waits for A, C throws; the root task waits for B. */
    private static final class Tangle implements Program {
        long sender, waiter, thrower;

        @Override public void link(Linker linker) {
            sender = linker.entry("sender", l4 -> l4.send(l4.pager()));
            waiter = linker.entry("waiter", l4 -> l4.receive(A));
            thrower = linker.entry("thrower", l4 -> { throw new IllegalStateException("tangled"); });
        }

        @Override public void main(L4 l4) {
            Threads threads = new Threads(l4);
            threads.inMySpace(sender, 0);
            threads.inMySpace(waiter, 0);
            threads.inMySpace(thrower, 0);
            l4.receive(B);
        }
    }

    @Test
    void aDeadlockIsReportedThreadByThreadWithPartners() {
        Harness h = Harness.run(new Tangle());
        RunOutcome o = h.system.outcome(h.haltReason);
        assertEquals(RunOutcome.Status.DEADLOCKED, o.status(), o.toString());
        assertEquals("deadlock: the root task 66.1 is waiting_forever: receiving from 68.1 and nothing is left to wake it", o.summary());
        assertEquals(List.of(
                new ThreadReport(ROOT, "waiting_forever", B, null, null),
                new ThreadReport(SIGMA0, "waiting_forever", ThreadId.ANY, null, null),
                new ThreadReport(A, "polling", ROOT, null, null),
                new ThreadReport(B, "waiting_forever", A, null, null),
                new ThreadReport(C, "halted", 0, "user code threw java.lang.IllegalStateException: tangled", null)), o.threads());
        assertEquals("polling: sending to 66.1", RunOutcome.describe(o.threads().get(2)));
    }

    @Test
    void finishedFailedAndTimedOutRunsAreTellable() {
        Harness ok = Harness.run(new Program() { @Override public void main(L4 l4) {} });
        RunOutcome o = ok.system.outcome(ok.haltReason);
        assertEquals(RunOutcome.Status.FINISHED, o.status());
        assertEquals(List.of(new ThreadReport(SIGMA0, "waiting_forever", ThreadId.ANY, null, null)), o.unfinished());
        assertEquals(new ThreadReport(ROOT, "halted", 0, RunOutcome.RETURNED, null), o.threads().getFirst());

        Harness bad = Harness.run(new Program() { @Override public void main(L4 l4) { l4.store(0x40_0000_0000L, 1); } });
        RunOutcome f = bad.system.outcome(bad.haltReason);
        assertEquals(RunOutcome.Status.FAILED, f.status());
        assertTrue(f.summary().startsWith("the root task 66.1 stopped: page fault: write at 0x4000000000"), f.summary());

        assertEquals(RunOutcome.Status.TIME_LIMIT, ok.system.outcome("time limit of 5 µs reached").status());
    }
}
