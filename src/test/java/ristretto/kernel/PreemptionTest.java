package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.MsgTag;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.user.L4;

/**
 * Delayed preemption (§3.4: the "d" and "p" flags of UTCB word −10, sensitive priority and
 * maximum delay set by Schedule) and the preemption message on total-quantum expiry (§13.4: X.2
 * defines it, Pistachio never sends it; Ristretto does).
 */
class PreemptionTest {
    private static final long U = Schedule.UNCHANGED;
    private static final long LAST = MEM;

    /** PreemptionControl: sensitive priority in bits 16-23, maximum delay (µs) in bits 0-15. */
    private static long preemptionControl(int sensitivePrio, int maxDelayMicros) {
        return ((long) sensitivePrio << 16) | maxDelayMicros;
    }

    /** Two same-priority loopers with 1 ms timeslices; the first asks for delayed preemption if {@code delay}. */
    private static List<long[]> loopers(boolean delay, List<String> log) {
        List<long[]> turns = new ArrayList<>();
        Scenario s = new Scenario();
        s.entry("looper", l4 -> {
            long me = ThreadId.number(l4.myGlobalId());
            boolean asks = l4.startSp() == 1;
            if (asks) l4.disablePreemption();
            for (long i = 0; i < 6_000_000; i++) {          // about 6 ms of virtual time each
                if (l4.load(LAST) != me) {
                    turns.add(new long[] {me, l4.systemClock()});
                    l4.store(LAST, me);
                }
                if (asks && l4.preemptionPending()) {
                    log.add("pending at " + l4.systemClock());
                    l4.enablePreemption();
                    asks = false;
                }
            }
        });
        s.main(l4 -> {
            long a = id(l4, 1), b = id(l4, 2);
            for (long t : new long[] {a, b}) {
                createHere(l4, t, ThreadId.number(t) - ThreadId.number(l4.myGlobalId()));
                l4.setTimeslice(t, Timeout.period(1000), Timeout.NEVER);
            }
            l4.schedule(a, U, U, U, preemptionControl(100, 300));
            l4.store(LAST, 0);
            l4.startThread(a, s.ip("looper"), delay ? 1 : 0);
            l4.startThread(b, s.ip("looper"), 0);
        });
        s.run();
        return turns;
    }

    @Test
    void aThreadAskingForDelayedPreemptionKeepsTheCpuForItsMaximumDelayAndSeesPending() {
        List<String> log = new ArrayList<>();
        List<long[]> plain = loopers(false, new ArrayList<>());
        List<long[]> delayed = loopers(true, log);
        long plainFirst = plain.get(1)[1] - plain.get(0)[1];
        long delayedFirst = delayed.get(1)[1] - delayed.get(0)[1];
        assertEquals(1000, plainFirst, 2, "a plain timeslice");
        assertEquals(1300, delayedFirst, 2, "the timeslice and the 300 µs delay");
        long secondTurnOfB = delayed.get(2)[1] - delayed.get(1)[1];
        assertEquals(1000, secondTurnOfB, 2, "the other thread gets a full slice");
        assertEquals(1, log.size(), "the kernel set 'p' once: " + log);
        long pendingAt = Long.parseLong(log.get(0).substring("pending at ".length())) - delayed.get(0)[1];
        assertTrue(pendingAt >= 1000 && pendingAt < 1300, "'p' is set when the slice ends, inside the delay: " + pendingAt);
    }

    @Test
    void theDelayBudgetIsSpentByOneDelay() {
        List<long[]> delayed = loopers(true, new ArrayList<>());
        // Turn 3 is the delaying thread's second: its budget is spent (it never called ThreadSwitch).
        assertEquals(1000, delayed.get(3)[1] - delayed.get(2)[1], 2);
    }

    @Test
    void aWokenHigherPriorityThreadWaitsOutTheDelayUnlessItIsAboveTheSensitivePriority() {
        for (int woken : new int[] {150, 250}) {
            List<Long> ranAt = new ArrayList<>();
            Scenario s = new Scenario();
            s.entry("sleeper", l4 -> {
                long t0 = l4.systemClock();
                l4.sleepMicros(200);
                ranAt.add(l4.systemClock() - t0);
            });
            s.entry("computer", l4 -> {
                l4.disablePreemption();
                spin(l4, MEM + 64, 400_000);
            });
            s.main(l4 -> {
                long c = id(l4, 1), w = id(l4, 2);
                createHere(l4, c, 1);
                createHere(l4, w, 2);
                l4.setPriority(c, 100);
                l4.setPriority(w, woken);
                l4.schedule(c, U, U, U, preemptionControl(200, 300));
                l4.startThread(w, s.ip("sleeper"), 0);
                l4.startThread(c, s.ip("computer"), 0);
            });
            s.run();
            assertEquals(1, ranAt.size());
            if (woken <= 200) assertEquals(500, ranAt.get(0), 3, "prio " + woken + " waits out the 300 µs delay");
            else assertEquals(200, ranAt.get(0), 3, "prio " + woken + " is above the sensitive priority: no delay");
        }
    }

    @Test
    void aUsedUpTotalQuantumSendsThePreemptionMessageToTheScheduler() {
        List<String> log = new ArrayList<>();
        long[] seen = new long[4];
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            l4.setMr(1, 42);
            l4.setMr(2, 43);
            spin(l4, MEM + 64, 500_000);
            log.add("worker's MRs " + l4.mr(1) + " " + l4.mr(2));
        });
        s.main(l4 -> {
            long w = id(l4, 1);
            createHere(l4, w, 1);
            l4.setPriority(w, 100);
            l4.setTimeslice(w, Timeout.period(100), Timeout.period(300));
            l4.startThread(w, s.ip("worker"), 0);
            long t0 = l4.systemClock();
            long tag = l4.receive(w);
            seen[0] = MsgTag.label(tag);
            seen[1] = MsgTag.u(tag);
            seen[2] = (l4.mr(2) << 32 | l4.mr(1)) - t0;
            log.add(l4.from() == l4.localIdOf(w) ? "message from the worker" : "message from " + ThreadId.toString(l4.from()));
            l4.setTimeslice(w, Timeout.period(100), Timeout.NEVER);   // a new quantum
            l4.loadMsg(0);
            l4.reply(w);
            l4.sleepMicros(10_000);
        });
        s.run();
        assertEquals(MsgTag.LABEL_PREEMPTION, seen[0], "label -3");
        assertEquals(2, seen[1], "u = 2: the time in MR1 (low) and MR2 (high)");
        assertTrue(seen[2] >= 300 && seen[2] < 400, "sent when the 300 µs quantum was used up: " + seen[2]);
        // The worker's own registers survive the kernel-generated IPC.
        assertEquals(List.of("message from the worker", "worker's MRs 42 43"), log);
    }
}
