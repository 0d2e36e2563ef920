package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import compute.Programs;
import java.util.List;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import ristretto.abi.Schedule;
import ristretto.abi.Timeout;
import ristretto.kernel.load.InstrumentingLoader;
import ristretto.system.Harness;

/**
 * {@link DeterminismTest} for compute-bound threads: workers that compute in metered user code
 * (no system call, no memory access) are preempted at yieldpoints, and where that happens is a
 * function of the program and the seed. The same run twice gives the same trace — preemption
 * points included — and the same clock; another seed gives another schedule.
 */
class ComputeDeterminismTest {

    private static final int THREADS = 6;

    private record Outcome(List<String> trace, long clockNs, List<String> served, String halt) {}

    /**
     * Six threads with random priorities, timeslices, amounts of computing and sleeps, each
     * calling the root task after every round; the root serves them until all are done.
     */
    private static Outcome run(long seed) {
        LongUnaryOperator work = InstrumentingLoader.instrumented(Programs.class).instance(Programs.Work.class, LongUnaryOperator.class);
        int[] rounds = new int[THREADS];
        long[] amount = new long[THREADS], sleep = new long[THREADS], results = new long[THREADS];
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            int i = (int) l4.startSp();
            long root = l4.pager();
            for (int r = 0; r < rounds[i]; r++) {
                results[i] += work.applyAsLong(amount[i] * (r + 1));   // up to ~6 ms of computing, metered
                l4.sleepMicros(sleep[i]);
                l4.loadMsg(0, i, r);
                l4.call(root);
            }
        });
        s.main(l4 -> {
            Random random = new Random(seed);
            int total = 0;
            for (int i = 0; i < THREADS; i++) {
                long t = id(l4, 1 + i);
                rounds[i] = 1 + random.nextInt(3);
                amount[i] = 10_000 + random.nextInt(200_000);
                sleep[i] = random.nextInt(500);
                total += rounds[i];
                createHere(l4, t, 1 + i);
                l4.schedule(t, Schedule.timeControl(Timeout.period(200 + random.nextInt(1000)), Timeout.NEVER),
                        -1, 95 + random.nextInt(10), -1);
                l4.startThread(t, s.ip("worker"), i);
            }
            l4.waitAny();
            for (int served = 1; ; served++) {
                s.log.add(l4.mr(1) + "." + l4.mr(2) + "@" + l4.systemClock());
                if (served == total) { l4.reply(l4.from()); break; }
                l4.replyWait(l4.from());
            }
        });
        Harness h = s.run();
        return new Outcome(h.traceLines(), h.system.machine().clock().nowNs(), s.log, h.haltReason);
    }

    @Test
    void theSameComputeBoundProgramAndSeedGiveTheSameTraceAndClock() {
        Outcome a = run(42), b = run(42);
        assertEquals("no runnable thread and nothing left to wake", a.halt());
        assertTrue(a.trace().stream().filter(l -> l.contains("preempt")).count() >= 10,
                "compute loops were preempted: " + a.trace().stream().filter(l -> l.contains("preempt")).count());
        assertTrue(a.trace().stream().anyMatch(l -> l.contains("slice-end")), "timeslices ran out while computing");
        assertTrue(a.clockNs() > 1_000_000, "computing took machine time: " + a.clockNs() + " ns");
        assertEquals(a.served(), b.served());
        assertEquals(a.trace(), b.trace());
        assertEquals(a.clockNs(), b.clockNs());
    }

    @Test
    void anotherSeedGivesAnotherSchedule() {
        Outcome a = run(42), c = run(7);
        assertNotEquals(a.trace(), c.trace());
        assertNotEquals(a.clockNs(), c.clockNs());
    }
}
