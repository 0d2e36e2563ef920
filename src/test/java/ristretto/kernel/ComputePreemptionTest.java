package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import compute.Programs;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import ristretto.abi.IpcError;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.load.InstrumentingLoader;
import ristretto.system.Harness;
import ristretto.user.Entry;
import ristretto.user.L4;

/**
 * Threads that compute without ever entering the kernel — {@code while (true) x = x * 31 + 7;} —
 * are preempted like any other, by the yieldpoints the loader inserts: two of one priority share
 * the CPU round robin, each slice ending on time, and a thread woken by a timeout takes the CPU
 * at its deadline. Before yieldpoints, the first spinner kept the CPU for good and the clock
 * stood still.
 */
class ComputePreemptionTest {

    /** The most a check can come after its event: one iteration of the spinner's loop, in ns. */
    private static final long LATE_NS = 20 * MACHINE.instructionNs();

    private static Entry spinner(long[] progress) {
        return InstrumentingLoader.instrumented(Programs.class).instance(Programs.Spinner.class, Entry.class, (Object) progress);
    }

    private static List<Trace.Event> events(Harness h, String kind) {
        List<Trace.Event> out = new ArrayList<>();
        for (Trace.Event e : h.kernel().trace().events()) if (e.kind().equals(kind)) out.add(e);
        return out;
    }

    @Test
    void twoComputeLoopsOfOnePriorityShareTheCpuRoundRobinAtTheirTimeslice() {
        long[] progress = new long[2];
        long[] ids = new long[2];
        Scenario s = new Scenario();
        s.entry("spinner", spinner(progress));
        s.main(l4 -> {
            createTwoWithSlice(l4, ids, 100);
            l4.startThread(ids[0], s.ip("spinner"), 0);
            l4.startThread(ids[1], s.ip("spinner"), 1);
        });
        Harness h = s.run(Harness.testOptions(), 2_000_000);

        assertTrue(h.haltReason.startsWith("time limit"), h.haltReason);
        assertTrue(progress[0] > 10_000 && progress[1] > 10_000, "both compute: " + progress[0] + ", " + progress[1]);
        // Every switch from one spinner to the other comes when a 100 µs slice has run out.
        List<Trace.Event> turns = new ArrayList<>();
        for (Trace.Event e : events(h, "switch"))
            if ((e.a() == ids[0] || e.a() == ids[1]) && (e.b() == ids[0] || e.b() == ids[1])) turns.add(e);
        assertTrue(turns.size() >= 15, "about 20 turns in 2 ms: " + turns.size());
        for (int i = 1; i < turns.size(); i++) {
            assertNotEquals(turns.get(i - 1).b(), turns.get(i).b(), "turns alternate");
            long length = turns.get(i).timeNs() - turns.get(i - 1).timeNs();
            assertTrue(length >= 100_000 && length <= 100_000 + LATE_NS,
                    "turn " + i + " of " + ThreadId.toString(turns.get(i - 1).b()) + " lasted " + length + " ns, its slice is 100 µs");
        }
        assertEquals(turns.size(), events(h, "preempt").stream().filter(e -> e.a() == ids[0] || e.a() == ids[1]).count(),
                "each turn ended by preemption");
        // Work costs time: the machine reached its limit by computing, not by idling.
        assertTrue(events(h, "idle").isEmpty(), "the CPU never idled");
    }

    @Test
    void aThreadWokenByATimeoutPreemptsAComputeLoopAtItsDeadline() {
        int rounds = 5;
        long[] progress = new long[1];
        long[] blockedAt = new long[rounds], wokeAt = new long[rounds], errors = new long[rounds];
        long[] ids = new long[2];
        Scenario s = new Scenario();
        s.entry("spinner", spinner(progress));
        s.entry("sleeper", l4 -> {
            for (int r = 0; r < rounds; r++) {
                blockedAt[r] = l4.systemClock();
                l4.receive(l4.myGlobalId(), Timeout.period(10 + 7 * r));
                wokeAt[r] = l4.systemClock();
                errors[r] = l4.errorCode();
            }
        });
        s.main(l4 -> {
            ids[0] = id(l4, 1);
            ids[1] = id(l4, 2);
            createHere(l4, ids[0], 1);
            createHere(l4, ids[1], 2);
            l4.setPriority(ids[1], 150);
            l4.startThread(ids[0], s.ip("spinner"), 0);
            l4.startThread(ids[1], s.ip("sleeper"), 0);
        });
        Harness h = s.run(Harness.testOptions(), 1_000_000);

        assertTrue(progress[0] > 0, "the spinner computed");
        List<Trace.Event> blocks = new ArrayList<>(), timeouts = new ArrayList<>(), switches = new ArrayList<>();
        for (Trace.Event e : h.kernel().trace().events()) {
            if (e.kind().equals("block-receive") && e.a() == ids[1]) blocks.add(e);
            if (e.kind().equals("timeout") && e.a() == ids[1]) timeouts.add(e);
            if (e.kind().equals("switch") && e.a() == ids[0] && e.b() == ids[1]) switches.add(e);
        }
        assertEquals(rounds, timeouts.size());
        assertEquals(rounds, switches.size(), "each wake-up took the CPU from the spinner");
        for (int r = 0; r < rounds; r++) {
            assertEquals(IpcError.encode(IpcError.PHASE_RECEIVE, IpcError.TIMEOUT, 0), errors[r], "round " + r);
            long deadlineNs = (blocks.get(r).timeNs() / 1000 + 10 + 7 * r) * 1000;       // the wheel counts whole µs
            long late = timeouts.get(r).timeNs() - deadlineNs;
            assertTrue(late >= 0 && late <= LATE_NS, "round " + r + ": the timeout fired " + late + " ns after its deadline");
            assertEquals(timeouts.get(r).timeNs(), switches.get(r).timeNs(), "round " + r + ": the sleeper runs at once");
            assertTrue(wokeAt[r] - blockedAt[r] >= 10 + 7 * r && wokeAt[r] - blockedAt[r] <= 10 + 7 * r + 1,
                    "round " + r + ": slept " + (wokeAt[r] - blockedAt[r]) + " µs");
        }
    }

    @Test
    void aSystemCallSeesTheClockMovedOnByTheComputingBeforeIt() {
        LongUnaryOperator work = InstrumentingLoader.instrumented(Programs.class).instance(Programs.Work.class, LongUnaryOperator.class);
        long[] clock = new long[3];
        Scenario s = new Scenario();
        s.main(l4 -> {
            clock[0] = l4.systemClock();
            work.applyAsLong(100_000);
            clock[1] = l4.systemClock();
            work.applyAsLong(200_000);
            clock[2] = l4.systemClock();
        });
        s.run();
        long first = clock[1] - clock[0], second = clock[2] - clock[1];
        // A round of the loop is about ten bytecodes at 1 ns each.
        assertTrue(first >= 500 && first <= 2000, "100,000 rounds took " + first + " µs");
        assertTrue(Math.abs(second - 2 * first) <= 2, "twice the rounds, twice the time: " + first + ", " + second + " µs");
    }

    @Test
    void aComputeLoopInAStaticInitialiserIsPreemptedOnlyWhenTheInitialiserEnds() {
        long[] progress = new long[1], init = new long[3];
        long[] ids = new long[2];
        InstrumentingLoader loader = InstrumentingLoader.instrumented(Programs.class);
        Scenario s = new Scenario();
        s.entry("spinner", loader.instance(Programs.Spinner.class, Entry.class, (Object) progress));
        s.entry("toucher", loader.instance(Programs.InitToucher.class, Entry.class, (Object) init));
        s.main(l4 -> {
            createTwoWithSlice(l4, ids, 100);
            l4.startThread(ids[0], s.ip("toucher"), 0);
            l4.startThread(ids[1], s.ip("spinner"), 0);
        });
        Harness h = s.run(Harness.testOptions(), 60_000_000);
        assertTrue(h.haltReason.startsWith("time limit"), h.haltReason);
        assertNotEquals(0, init[1], "the initialiser finished");
        assertTrue(init[2] - init[0] > 1000, "it computed for " + (init[2] - init[0]) + " µs, past many slice ends");
        assertTrue(progress[0] > 0, "then the other thread ran");
        assertEquals(ids[0], events(h, "preempt").getFirst().a(), "the initialising thread was preempted once it could be");
    }

    /** 300 ms of host time: the root task first maps its 16 MiB region through sigma0, which a cold JVM takes milliseconds over. */
    @Test
    void onTheRealClockComputeLoopsArePreemptedToo() {
        long[] progress = new long[2];
        long[] ids = new long[2];
        Scenario s = new Scenario();
        s.entry("spinner", spinner(progress));
        s.main(l4 -> {
            createTwoWithSlice(l4, ids, 1000);
            for (int i = 0; i < 2; i++) l4.startThread(ids[i], s.ip("spinner"), i);
        });
        Harness h = checked(Harness.run(MACHINE.withRealClock(), Harness.testOptions(), s, 300_000_000));
        assertTrue(h.haltReason.startsWith("time limit"), h.haltReason);
        assertTrue(progress[0] > 0 && progress[1] > 0, "both computed: " + progress[0] + ", " + progress[1]);
        assertTrue(events(h, "preempt").size() >= 2, "preempted at slice ends");
    }

    /** Creates threads 1 and 2 after the caller's in its space ({@code ids}), each with a timeslice of {@code micros}. */
    private static void createTwoWithSlice(L4 l4, long[] ids, long micros) {
        for (int i = 0; i < 2; i++) {
            ids[i] = id(l4, 1 + i);
            createHere(l4, ids[i], 1 + i);
            l4.setTimeslice(ids[i], Timeout.period(micros), Timeout.NEVER);
        }
    }
}
