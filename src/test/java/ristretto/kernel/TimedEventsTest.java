package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.IpcError;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.kernel.debug.Trace;
import ristretto.system.Harness;

/**
 * The CPU's event queue (machine {@code EventQueue}): a timeout and the end of a timeslice are
 * events of their own, taken at the first kernel entry or memory access at or after their time —
 * not at the next 1 ms timer tick, as the kernel did when the tick was its only clock. So a
 * thread computing in user mode is interrupted within one memory access (1 ns) of the event, and
 * the thread that runs then sees the clock within one kernel entry (100 ns) of it.
 */
class TimedEventsTest {

    private static final long ENTRY_NS = MACHINE.kernelEntryNs(), ACCESS_NS = MACHINE.memoryAccessNs();
    private static final long TICK_US = MACHINE.timerPeriodNs() / 1000;
    /** One kernel entry rounded up to the microseconds the SystemClock reports. */
    private static final long ENTRY_US = (ENTRY_NS + 999) / 1000;

    /** Shared words in the root task's memory. */
    private static final long LAST = MEM, WORK = MEM + 64;

    /** A trace event of {@code kind} for thread {@code a}, in order. */
    private static List<Trace.Event> events(Harness h, String kind, long a) {
        List<Trace.Event> out = new ArrayList<>();
        for (Trace.Event e : h.kernel().trace().events()) if (e.kind().equals(kind) && e.a() == a) out.add(e);
        return out;
    }

    @Test
    void aTenMicrosecondReceiveTimeoutEndsWithinOneKernelEntryOfItsDeadlineWhileAnotherThreadComputes() {
        int rounds = 5;
        long[] blockedAt = new long[rounds], wokeAt = new long[rounds], errors = new long[rounds];
        long[] computing = new long[2];                             // the computing thread's first and last clock reading
        Scenario s = new Scenario();
        s.entry("sleeper", l4 -> {
            for (int r = 0; r < rounds; r++) {
                spin(l4, WORK + 8, 37 * r);                          // a different phase against the µs grid each round
                blockedAt[r] = l4.systemClock();
                l4.receive(l4.myGlobalId(), Timeout.period(10));
                wokeAt[r] = l4.systemClock();
                errors[r] = l4.errorCode();
            }
        });
        s.entry("computer", l4 -> {
            computing[0] = l4.systemClock();
            spin(l4, WORK, 100_000);                                // ~200 µs of loads and stores, no kernel entry
            computing[1] = l4.systemClock();
        });
        long[] ids = new long[2];
        s.main(l4 -> {
            ids[0] = id(l4, 1);
            ids[1] = id(l4, 2);
            createHere(l4, ids[0], 1);
            l4.setPriority(ids[0], 150);                            // the sleeper preempts the computer on waking
            startHere(l4, ids[1], 2, s.ip("computer"));
            l4.startThread(ids[0], s.ip("sleeper"), 0);
        });
        Harness h = s.run();

        for (int r = 0; r < rounds; r++) {
            int rr = r;
            assertEquals(IpcError.encode(IpcError.PHASE_RECEIVE, IpcError.TIMEOUT, 0), errors[r], "round " + r);
            long slept = wokeAt[r] - blockedAt[r];
            assertTrue(slept >= 10 && slept <= 10 + ENTRY_US,
                    () -> "round " + rr + ": blocked at " + blockedAt[rr] + " µs, woke at " + wokeAt[rr] + " µs (the tick is every " + TICK_US + " µs)");
            assertTrue(wokeAt[r] > computing[0] && wokeAt[r] < computing[1],
                    () -> "round " + rr + " woke at " + wokeAt[rr] + " µs while the other thread computed, "
                            + computing[0] + ".." + computing[1] + " µs: the CPU never idled");
        }
        // To the nanosecond: each timeout is taken at the memory access that reaches its deadline.
        List<Trace.Event> blocks = events(h, "block-receive", ids[0]), timeouts = events(h, "timeout", ids[0]);
        assertEquals(rounds, blocks.size());
        assertEquals(rounds, timeouts.size());
        for (int r = 0; r < rounds; r++) {
            long deadlineNs = (blocks.get(r).timeNs() / 1000 + 10) * 1000;   // the wheel counts whole µs
            long late = timeouts.get(r).timeNs() - deadlineNs;
            assertTrue(late >= 0 && late <= ACCESS_NS, "round " + r + ": the timeout fired " + late + " ns after its deadline");
        }
    }

    /**
     * Two threads of one priority loop over a shared "last writer" word; each notes the clock
     * when it finds the other one wrote last, i.e. when it got the processor back.
     */
    private static List<long[]> turns(long sliceA, long sliceB, long iterations, List<Long> ids) {
        List<long[]> turns = new ArrayList<>();
        Scenario s = new Scenario();
        s.entry("looper", turnTaker(LAST, iterations, turns));
        s.main(l4 -> {
            long a = id(l4, 1), b = id(l4, 2);
            ids.add(a);
            ids.add(b);
            createHere(l4, a, 1);
            createHere(l4, b, 2);
            l4.setTimeslice(a, Timeout.period(sliceA), Timeout.NEVER);
            l4.setTimeslice(b, Timeout.period(sliceB), Timeout.NEVER);
            l4.store(LAST, 0);
            l4.startThread(a, s.ip("looper"), 0);
            l4.startThread(b, s.ip("looper"), 0);
        });
        Harness h = s.run();
        // The slice ends are the scheduler's own record: at exact multiples of the slices.
        List<Trace.Event> ends = new ArrayList<>();
        for (Trace.Event e : h.kernel().trace().events()) if (e.kind().equals("slice-end")) ends.add(e);
        for (int i = 1; i < ends.size(); i++) {
            if (ends.get(i).a() == ends.get(i - 1).a()) continue;           // the other thread had finished
            long expected = ends.get(i).a() == ids.get(0) ? sliceA : sliceB;
            long length = ends.get(i).timeNs() - ends.get(i - 1).timeNs();
            assertTrue(length >= expected * 1000 && length <= expected * 1000 + ACCESS_NS,
                    "slice " + i + " of " + ThreadId.toString(ends.get(i).a()) + " lasted " + length + " ns, not " + expected + " µs");
        }
        return turns;
    }

    @Test
    void aHundredMicrosecondTimesliceSharingTheCpuRoundRobinEndsAfterAHundredMicrosecondsNotAtTheTick() {
        List<Long> ids = new ArrayList<>();
        List<long[]> turns = turns(100, 300, 1_500_000, ids);     // ~1.5 ms of loads each: many turns
        long a = ThreadId.number(ids.get(0)), b = ThreadId.number(ids.get(1));
        assertTrue(turns.size() >= 8, "expected many turns, got " + turns.size());
        assertEquals(a, turns.get(0)[0], "the first started runs first");
        // Every turn but the last (its thread finished) ends when its slice does: A's after 100 µs, B's after 300 µs.
        for (int i = 1; i < turns.size() - 1; i++) {
            long who = turns.get(i - 1)[0];
            assertNotEquals(who, turns.get(i)[0], "turns alternate");
            long length = turns.get(i)[1] - turns.get(i - 1)[1];
            long slice = who == a ? 100 : 300;
            // Each reading is one kernel entry after the turn began, give or take a memory access.
            assertTrue(length >= slice - ENTRY_US && length <= slice + ENTRY_US,
                    "turn " + i + " of " + (who == a ? "A" : "B") + " lasted " + length + " µs, its slice is " + slice
                            + " µs (the tick is every " + TICK_US + " µs)");
        }
        assertTrue(turns.stream().anyMatch(t -> t[0] == b));
    }
}
