package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.IpcError;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.system.Harness;
import ristretto.user.L4;

/**
 * The scheduler's behaviour (§11.3 policy, §11.4): strict priorities, round robin by timeslice
 * inside a priority, timer preemption of user-mode work, ThreadSwitch, and IPC-timeout sleeps on
 * the virtual clock.
 */
class SchedulerTest {

    private static final long U = Schedule.UNCHANGED;
    /** Shared words in the root task's memory. */
    private static final long LAST = MEM, FLAG = MEM + 8;

    private static void setPrio(L4 l4, long t, int prio) { l4.schedule(t, U, U, prio, U); }

    @Test
    void higherPrioritiesRunToCompletionBeforeLowerOnes() {
        Scenario s = new Scenario();
        int[] prios = {10, 50, 100, 200, 50};
        s.entry("worker", l4 -> {
            int p = (int) l4.startSp();
            s.log.add("start " + p);
            spin(l4, MEM + 64 + 8L * ThreadId.number(l4.myGlobalId()), 200_000);   // ~0.4 ms: spans timer ticks
            s.log.add("end " + p);
        });
        s.main(l4 -> {
            for (int i = 0; i < prios.length; i++) {
                long t = id(l4, 1 + i);
                createHere(l4, t, 1 + i);
                setPrio(l4, t, prios[i]);
                l4.startThread(t, s.ip("worker"), prios[i]);
            }
            l4.sleepMicros(20_000);
            s.log.add("root");
        });
        s.run();
        assertEquals(List.of("start 200", "end 200", "start 100", "end 100", "start 50", "end 50", "start 50", "end 50",
                "start 10", "end 10", "root"), s.log);
    }

    /**
     * Two threads of one priority loop over a shared "last writer" word; each notes the clock
     * when it finds the other one wrote last, i.e. when it got the processor back.
     */
    private static List<long[]> alternate(int timesliceMicros, long iterations) {
        List<long[]> turns = new ArrayList<>();
        Scenario s = new Scenario();
        s.entry("looper", turnTaker(LAST, iterations, turns));
        s.main(l4 -> {
            long a = id(l4, 1), b = id(l4, 2);
            for (long t : new long[] {a, b}) {
                createHere(l4, t, ThreadId.number(t) - ThreadId.number(l4.myGlobalId()));
                l4.setTimeslice(t, timesliceMicros == 0 ? Timeout.NEVER : Timeout.period(timesliceMicros), Timeout.NEVER);
            }
            l4.store(LAST, 0);
            l4.startThread(a, s.ip("looper"), 0);
            l4.startThread(b, s.ip("looper"), 0);
        });
        s.run();
        return turns;
    }

    @Test
    void threadsOfEqualPriorityShareTheProcessorByTimeslice() {
        List<long[]> turns = alternate(2000, 3_000_000);          // 1 load per iteration: ~3 ms of work each
        assertTrue(turns.size() >= 4, "expected several turns, got " + turns.size());
        for (int i = 1; i < turns.size(); i++) {
            assertNotEquals(turns.get(i - 1)[0], turns.get(i)[0], "turns alternate");
            long lengthUs = turns.get(i)[1] - turns.get(i - 1)[1];
            if (i < turns.size() - 1) assertTrue(lengthUs >= 1999 && lengthUs <= 2001, "a turn lasts a 2 ms timeslice: " + lengthUs);
        }
        assertEquals(67, turns.get(0)[0]);
    }

    @Test
    void anInfiniteTimesliceIsNeverCutShortByAnEqualPriority() {
        List<long[]> turns = alternate(0, 3_000_000);
        assertEquals(2, turns.size(), "each thread runs once, to completion");
        assertEquals(67, turns.get(0)[0]);
        assertEquals(68, turns.get(1)[0]);
    }

    @Test
    void theTimerPreemptsAThreadLoopingInUserMode() {
        List<String> log = new ArrayList<>();
        long[] setterRan = {-1};
        long bound = 20_000_000;                                   // ~20 ms: far beyond one timeslice
        Scenario s = new Scenario();
        s.entry("waiter", l4 -> {
            long i = 0;
            while (l4.load(FLAG) == 0 && i < bound) i++;
            log.add("waiter saw the flag " + (i < bound));
        });
        s.entry("setter", l4 -> {
            setterRan[0] = l4.systemClock();
            log.add("setter");
            l4.store(FLAG, 1);
        });
        s.main(l4 -> {
            long a = id(l4, 1), b = id(l4, 2);
            l4.store(FLAG, 0);
            createHere(l4, a, 1);
            l4.setTimeslice(a, Timeout.period(1000), Timeout.NEVER);
            l4.startThread(a, s.ip("waiter"), 0);
            startHere(l4, b, 2, s.ip("setter"));
        });
        s.run();
        assertEquals(List.of("setter", "waiter saw the flag true"), log);
        // The slice ends after 1 ms of running, at the memory access that reaches its end.
        assertTrue(setterRan[0] >= 1000 && setterRan[0] <= 1002, "setter ran at " + setterRan[0] + " µs");
    }

    @Test
    void aWokenThreadPreemptsOnlyWhenItsPriorityIsStrictlyHigher() {
        for (int sleeperPrio : new int[] {100, 101}) {
            List<Long> wake = new ArrayList<>();
            Scenario s = new Scenario();
            s.entry("sleeper", l4 -> {
                l4.sleepMicros(500);
                wake.add(l4.systemClock());
            });
            s.entry("spinner", l4 -> spin(l4, MEM, 2_500_000));      // ~5 ms of one 10 ms slice
            s.main(l4 -> {
                long sl = id(l4, 1), sp = id(l4, 2);
                createHere(l4, sl, 1);
                setPrio(l4, sl, sleeperPrio);
                l4.startThread(sl, s.ip("sleeper"), 0);
                startHere(l4, sp, 2, s.ip("spinner"));
            });
            s.run();
            assertEquals(1, wake.size());
            if (sleeperPrio == 101) assertTrue(wake.get(0) >= 500 && wake.get(0) <= 1500, "woke within a tick: " + wake);
            else assertTrue(wake.get(0) >= 4500, "waited for the spinner: " + wake);
        }
    }

    // ------------------------------------------------------------------------ ThreadSwitch

    @Test
    void threadSwitchWithoutATargetYieldsToTheNextThreadOfThePriority() {
        Scenario s = new Scenario();
        s.entry("a", l4 -> { s.log.add("a1"); l4.yieldCpu(); s.log.add("a2"); l4.yieldCpu(); s.log.add("a3"); });
        s.entry("b", l4 -> { s.log.add("b1"); l4.yieldCpu(); s.log.add("b2"); });
        s.main(l4 -> {
            startHere(l4, id(l4, 1), 1, s.ip("a"));
            startHere(l4, id(l4, 2), 2, s.ip("b"));
        });
        s.run();
        assertEquals(List.of("a1", "b1", "a2", "b2", "a3"), s.log);
    }

    @Test
    void threadSwitchToATargetRunsItBeforeThreadsQueuedEarlier() {
        Scenario s = new Scenario();
        long[] c = new long[1];
        s.entry("a", l4 -> { s.log.add("a1"); l4.threadSwitch(c[0]); s.log.add("a2"); });
        s.entry("b", l4 -> s.log.add("b"));
        s.entry("c", l4 -> s.log.add("c"));
        s.main(l4 -> {
            c[0] = id(l4, 3);
            startHere(l4, id(l4, 1), 1, s.ip("a"));
            startHere(l4, id(l4, 2), 2, s.ip("b"));
            startHere(l4, id(l4, 3), 3, s.ip("c"));
        });
        s.run();
        assertEquals(List.of("a1", "c"), s.log.subList(0, 2));
        assertEquals(List.of("a1", "c", "a2", "b"), s.log);
    }

    @Test
    void threadSwitchToALowerPriorityThreadRunsIt() {
        Scenario s = new Scenario();
        s.entry("low", l4 -> s.log.add("low"));
        s.main(l4 -> {
            long low = id(l4, 1);
            startHere(l4, low, 1, s.ip("low"));
            l4.threadSwitch(low);
            s.log.add("root");
        });
        s.run();
        assertEquals(List.of("low", "root"), s.log);
    }

    @Test
    void threadSwitchToMyselfReturnsAtOnce() {
        Scenario s = new Scenario();
        s.entry("a", l4 -> { s.log.add("a1"); l4.threadSwitch(l4.myGlobalId()); s.log.add("a2"); });
        s.entry("b", l4 -> s.log.add("b"));
        s.main(l4 -> {
            startHere(l4, id(l4, 1), 1, s.ip("a"));
            startHere(l4, id(l4, 2), 2, s.ip("b"));
        });
        s.run();
        assertEquals(List.of("a1", "a2", "b"), s.log);
    }

    @Test
    void threadSwitchToABlockedOrInvalidThreadIsAYield() {
        Scenario s = new Scenario();
        long[] targets = new long[2];
        s.entry("a", l4 -> {
            s.log.add("a1");
            l4.threadSwitch(targets[0]);
            s.log.add("a2");
            l4.threadSwitch(targets[1]);
            s.log.add("a3");
        });
        s.entry("b", l4 -> { s.log.add("b1"); l4.yieldCpu(); s.log.add("b2"); });
        s.entry("blocked", l4 -> l4.waitAny());
        s.main(l4 -> {
            targets[0] = id(l4, 3);
            targets[1] = id(l4, 9);
            startHere(l4, id(l4, 3), 3, s.ip("blocked"));
            l4.sleepMicros(100);
            startHere(l4, id(l4, 1), 1, s.ip("a"));
            startHere(l4, id(l4, 2), 2, s.ip("b"));
        });
        s.run();
        assertEquals(List.of("a1", "b1", "a2", "b2", "a3"), s.log);
    }

    // --------------------------------------------------------------------------- sleeping

    @Test
    void sleepingAdvancesTheVirtualClockByExactlyTheTimeout() {
        Scenario s = new Scenario();
        long[] periods = {1, 100, 1000, 5000, 123_456, 2_000_000};
        List<Long> slept = new ArrayList<>();
        s.main(l4 -> {
            for (long us : periods) {
                long t0 = l4.systemClock();
                long tag = l4.sleepMicros(us);
                long t1 = l4.systemClock();
                slept.add(t1 - t0);
                if (!L4.failed(tag) || l4.ipcError() != IpcError.TIMEOUT) s.log.add("sleep did not time out");
            }
        });
        Harness h = s.run();
        assertEquals(List.of(), s.log);
        for (int i = 0; i < periods.length; i++) {
            long want = Timeout.periodMicros(Timeout.period(periods[i]));
            assertTrue(slept.get(i) >= want && slept.get(i) <= want + 1,
                    "slept " + slept.get(i) + " µs for a " + want + " µs timeout (the kernel entries cost 0.1 µs each)");
        }
        long total = 0;
        for (long p : periods) total += Timeout.periodMicros(Timeout.period(p));
        long end = h.system.machine().clock().nowMicros();
        assertTrue(end >= total && end <= total + 20, "idle time is skipped, not spent: clock " + end + " vs " + total);
    }

    @Test
    void sleepersWakeInDeadlineOrderAtTheirDeadlines() {
        List<long[]> woke = new ArrayList<>();
        Scenario s = new Scenario();
        s.entry("sleeper", l4 -> {
            long us = l4.startSp();
            l4.sleepMicros(us);
            woke.add(new long[] {us, l4.systemClock()});
        });
        s.main(l4 -> {
            long[] times = {3000, 1000, 2000, 1000};
            for (int i = 0; i < times.length; i++) {
                long t = id(l4, 1 + i);
                createHere(l4, t, 1 + i);
                l4.startThread(t, s.ip("sleeper"), times[i]);
            }
        });
        s.run();
        assertEquals(4, woke.size());
        long[] order = {1000, 1000, 2000, 3000};
        for (int i = 0; i < 4; i++) {
            assertEquals(order[i], woke.get(i)[0]);
            assertTrue(woke.get(i)[1] >= order[i] && woke.get(i)[1] <= order[i] + 2, "woke at " + woke.get(i)[1]);
        }
    }
}
