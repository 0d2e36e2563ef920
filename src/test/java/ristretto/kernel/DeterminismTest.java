package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import compute.Programs;
import java.util.List;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import ristretto.kernel.load.InstrumentingLoader;
import ristretto.abi.Schedule;
import ristretto.abi.Timeout;
import ristretto.system.Harness;

/**
 * On the virtual clock a program and its seed fix everything: the same run twice gives the same
 * trace and the same final clock; another seed gives another schedule. Workers either move memory
 * (every access enters the kernel) or compute without entering it, metered and preempted at their
 * yieldpoints (issue 8: the schedule, preemption points included, still follows from the seed).
 */
class DeterminismTest {

    private static final int THREADS = 8;

    /** How a worker spends a round: memory traffic through the MMU, or instrumented computing. */
    private enum Load { MEMORY, COMPUTE }

    /** What one run left behind: the trace, the clock, what the root served, why it halted, the replies each worker got. */
    private record Outcome(List<String> trace, long clockNs, List<String> served, String halt, List<Integer> rounds, List<Integer> replies) {}

    /**
     * Eight threads with random priorities, timeslices, work and sleeps, all calling the root
     * task, which serves them until every thread has finished its rounds.
     */
    private static Outcome run(long seed, Load load) {
        int[] rounds = new int[THREADS], replies = new int[THREADS];
        long[] work = new long[THREADS], sleep = new long[THREADS], results = new long[THREADS];
        LongUnaryOperator compute = load == Load.COMPUTE
                ? InstrumentingLoader.instrumented(Programs.class).instance(Programs.Work.class, LongUnaryOperator.class) : null;
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            int i = (int) l4.startSp();
            long root = l4.pager(), rootLocal = l4.localIdOf(root);   // the workers share the root's space
            for (int r = 0; r < rounds[i]; r++) {
                if (load == Load.MEMORY) spin(l4, MEM + 8L * i, work[i]);
                else results[i] += compute.applyAsLong(work[i]);        // up to ~15 ms of computing, metered
                l4.sleepMicros(sleep[i] * (r + 1));
                l4.loadMsg(0, i, r);
                l4.call(root);
                // The reply to this very round: from the root, answering (i, r).
                if (!l4.ipcFailed() && l4.from() == rootLocal && l4.mr(1) == 1000L * i + r) replies[i]++;
            }
        });
        s.main(l4 -> {
            Random random = new Random(seed);
            int total = 0;
            for (int i = 0; i < THREADS; i++) {
                long t = id(l4, 1 + i);
                rounds[i] = 1 + random.nextInt(4);
                work[i] = 10_000 + random.nextInt(1_500_000);          // up to ~3 ms of memory traffic
                sleep[i] = random.nextInt(3000);
                total += rounds[i];
                createHere(l4, t, 1 + i);
                l4.schedule(t, Schedule.timeControl(Timeout.period(500 + random.nextInt(3000)), Timeout.NEVER),
                        -1, 90 + random.nextInt(20), -1);
                l4.startThread(t, s.ip("worker"), i);
            }
            l4.waitAny();
            for (int served = 1; ; served++) {
                s.log.add(l4.mr(1) + "." + l4.mr(2) + "@" + l4.systemClock());
                l4.loadMsg(0, 1000L * l4.mr(1) + l4.mr(2));
                if (served == total) { l4.reply(l4.from()); break; }
                l4.replyWait(l4.from());
            }
        });
        Harness h = s.run();
        return new Outcome(h.traceLines(), h.system.machine().clock().nowNs(), s.log, h.haltReason,
                java.util.Arrays.stream(rounds).boxed().toList(), java.util.Arrays.stream(replies).boxed().toList());
    }

    /** The run ended as it should: by running out of work, with every round of every worker answered. */
    private static void assertComplete(Outcome o) {
        assertEquals("no runnable thread and nothing left to wake", o.halt());
        assertEquals(o.rounds(), o.replies(), "replies per worker (rounds expected)");
        assertEquals(o.rounds().stream().mapToInt(Integer::intValue).sum(), o.served().size(), "requests the root served");
    }

    @ParameterizedTest
    @EnumSource(Load.class)
    void theSameProgramAndSeedGiveTheSameTraceAndClock(Load load) {
        Outcome a = run(42, load), b = run(42, load);
        assertComplete(a);
        assertComplete(b);
        assertTrue(a.trace().size() > 100, "a non-trivial schedule: " + a.trace().size() + " trace lines");
        assertTrue(a.trace().stream().anyMatch(l -> l.contains("slice-end")), "timeslices ran out");
        assertTrue(a.trace().stream().anyMatch(l -> l.contains("timeout")), "sleeps timed out");
        if (load == Load.COMPUTE)
            assertTrue(a.trace().stream().filter(l -> l.contains("preempt")).count() >= 10, "compute loops were preempted");
        assertEquals(a.served(), b.served());
        assertEquals(a.trace(), b.trace());
        assertEquals(a.clockNs(), b.clockNs());
    }

    @ParameterizedTest
    @EnumSource(Load.class)
    void anotherSeedGivesAnotherSchedule(Load load) {
        Outcome a = run(42, load), c = run(7, load);
        assertComplete(a);
        assertComplete(c);
        assertNotEquals(a.trace(), c.trace());
        assertNotEquals(a.clockNs(), c.clockNs());
    }
}
