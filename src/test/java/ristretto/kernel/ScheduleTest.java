package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.ErrorCode;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.system.Harness;
import ristretto.user.L4;

/** The Schedule system call (§11.3): errors, state results, TimeControl', and its effects. */
class ScheduleTest {

    private static final long U = Schedule.UNCHANGED;

    /** "result/error" of the last Schedule. */
    private static String res(L4 l4, long result) {
        return result == Schedule.ERROR ? "error/" + ErrorCode.name(l4.errorCode()) : Schedule.resultName(result);
    }

    private static long prio(L4 l4, long t, long prio) { return l4.schedule(t, U, U, prio, U); }

    private static int prioOf(Harness h, int threadNo) { return h.kernel().threads.slot(threadNo).prio; }

    // ------------------------------------------------------------------------------- errors

    @Test
    void anInvalidDestinationIsAnInvalidThread() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId();
            s.log.add("nil " + res(l4, l4.threadState(ThreadId.NIL)));
            s.log.add("non-existing " + res(l4, l4.threadState(id(l4, 1))));
            s.log.add("stale version " + res(l4, l4.threadState(ThreadId.global(ThreadId.number(me), 2))));
            s.log.add("unknown local " + res(l4, l4.threadState(rootUtcb(3) + Utcb.MR0_OFFSET)));
            s.log.add("anythread " + res(l4, l4.threadState(ThreadId.ANY)));
            s.log.add("nil, setting " + res(l4, prio(l4, ThreadId.NIL, 10)));
            s.log.add("my local id " + res(l4, l4.threadState(l4.myLocalId())));
        });
        s.run();
        assertEquals(List.of("nil error/invalid thread", "non-existing error/invalid thread", "stale version error/invalid thread",
                "unknown local error/invalid thread", "anythread error/invalid thread", "nil, setting error/invalid thread",
                "my local id running"), s.log);
    }

    @Test
    void anUnprivilegedCallerThatIsNotTheSchedulerHasNoPrivilege() {
        Scenario s = new Scenario();
        long[] ids = new long[2];
        s.entry("outsider", l4 -> {
            s.log.add("query " + res(l4, l4.threadState(ids[0])));
            s.log.add("lower " + res(l4, prio(l4, ids[0], 1)));
            s.log.add("self " + res(l4, prio(l4, l4.myGlobalId(), 1)));
            s.log.add("root " + res(l4, prio(l4, ids[1], 1)));
        });
        s.entry("idle", l4 -> l4.waitAny());
        s.main(l4 -> {
            ids[0] = id(l4, 2);
            ids[1] = l4.myGlobalId();
            startHere(l4, ids[0], 2, s.ip("idle"));
            startInNewSpace(l4, id(l4, 1), s.ip("outsider"));
            l4.sleepMicros(1000);
        });
        Harness h = s.run();
        assertEquals(List.of("query error/no privilege", "lower error/no privilege", "self error/no privilege", "root error/no privilege"), s.log);
        assertEquals(100, prioOf(h, 68));
        assertEquals(255, prioOf(h, 66));
    }

    @Test
    void anUnprivilegedSchedulerMayNotRaiseAThreadAboveItsOwnPriority() {
        Scenario s = new Scenario();
        long[] ids = new long[2];
        s.entry("scheduler", l4 -> {
            long t = ids[0];
            s.log.add("query " + res(l4, l4.threadState(t)));
            s.log.add("101 " + res(l4, prio(l4, t, 101)));
            s.log.add("100 " + res(l4, prio(l4, t, 100)));
            s.log.add("7 " + res(l4, prio(l4, t, 7)));
            s.log.add("sensitive 101 " + res(l4, l4.schedule(t, U, U, U, Schedule.preemptionControl(101, 500))));
            s.log.add("sensitive 100 " + res(l4, l4.schedule(t, U, U, U, Schedule.preemptionControl(100, 500))));
            l4.receive(ids[1]);                              // the root lowers my priority to 60
            s.log.add("61 " + res(l4, prio(l4, t, 61)));
            s.log.add("60 " + res(l4, prio(l4, t, 60)));
            s.log.add("timeslice " + res(l4, l4.setTimeslice(t, Timeout.period(2000), Timeout.NEVER)));
        });
        s.entry("idle", l4 -> l4.waitAny());
        s.main(l4 -> {
            long me = l4.myGlobalId(), sched = id(l4, 1), t = id(l4, 2);
            ids[0] = t;
            ids[1] = me;
            createInNewSpace(l4, sched);
            l4.threadControl(t, me, sched, me, rootUtcb(2));
            l4.startThread(t, s.ip("idle"), 0);
            l4.startThread(sched, s.ip("scheduler"), 0);
            l4.sleepMicros(1000);
            s.log.add("root lowers scheduler " + res(l4, prio(l4, sched, 60)));
            l4.loadMsg(0);
            l4.send(sched);
            l4.sleepMicros(1000);
        });
        Harness h = s.run();
        assertEquals(List.of("query waiting", "101 error/no privilege", "100 waiting", "7 waiting", "sensitive 101 error/no privilege",
                "sensitive 100 waiting", "root lowers scheduler waiting", "61 error/no privilege", "60 waiting", "timeslice waiting"), s.log);
        assertEquals(60, prioOf(h, 68));
        assertEquals(2_000_000L, h.kernel().threads.slot(68).timesliceNs);
    }

    @Test
    void malformedParametersAreInvalidParametersAndChangeNothing() {
        Scenario s = new Scenario();
        s.entry("idle", l4 -> l4.waitAny());
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("idle"));
            int point = Timeout.point(5000, 0);
            long[][] cases = {
                    {Schedule.timeControl(point, Timeout.NEVER), U, U, U},          // timeslice as a time point
                    {Schedule.timeControl(Timeout.period(1000), point), U, U, U},   // total quantum as a time point
                    {Schedule.timeControl(Timeout.ZERO, Timeout.NEVER), U, U, U},   // zero timeslice
                    {Schedule.timeControl(5 << 10, Timeout.NEVER), U, U, U},         // m = 0, e = 5: also zero
                    {U, 1, U, U},                                                    // processor 1 of 1
                    {U, 0x10000, U, U},
                    {U, U, 256, U},                                                  // priority above 255
                    {U, U, 0x1FF, U},
                    {U, U, 1L << 40, U},
                    {Schedule.timeControl(Timeout.period(1000), Timeout.NEVER), U, 300, U},   // one bad word spoils all
            };
            l4.sleepMicros(1000);                              // t is now waiting
            for (long[] c : cases) s.log.add(res(l4, l4.schedule(t, c[0], c[1], c[2], c[3])));
            s.log.add("processor 0 " + res(l4, l4.schedule(t, U, 0, U, U)));
            s.log.add("priority 255 " + res(l4, prio(l4, t, 255)) + ", 0 " + res(l4, prio(l4, t, 0)));
        });
        Harness h = s.run();
        for (int i = 0; i < 10; i++) assertEquals("error/invalid parameter", s.log.get(i), "case " + i);
        assertEquals(List.of("processor 0 waiting", "priority 255 waiting, 0 waiting"), s.log.subList(10, 12));
        assertEquals(10_000_000L, h.kernel().threads.slot(67).timesliceNs, "the bad calls left the timeslice alone");
        assertEquals(0, prioOf(h, 67));
    }

    // ------------------------------------------------------------------------ state results

    @Test
    void theResultIsTheThreadStateBeforeTheChange() {
        Scenario s = new Scenario();
        long[] root = new long[1];
        s.entry("receiver", l4 -> l4.waitAny());
        s.entry("sleeper", l4 -> l4.sleepMicros(1_000_000));
        s.entry("sender", l4 -> { l4.loadMsg(0); l4.send(root[0]); });
        s.entry("looper", l4 -> spin(l4, MEM, 20_000_000));
        s.entry("returner", l4 -> {});
        s.main(l4 -> {
            long me = l4.myGlobalId();
            root[0] = me;
            long inactive = id(l4, 1), fresh = id(l4, 2), rcv = id(l4, 3), slp = id(l4, 4), snd = id(l4, 5), run = id(l4, 6),
                    ret = id(l4, 7), halted = id(l4, 8);
            l4.threadControl(inactive, me, me, ThreadId.NIL, rootUtcb(1));
            createHere(l4, fresh, 2);
            startHere(l4, rcv, 3, s.ip("receiver"));
            startHere(l4, slp, 4, s.ip("sleeper"));
            startHere(l4, snd, 5, s.ip("sender"));
            startHere(l4, ret, 7, s.ip("returner"));
            startHere(l4, halted, 8, s.ip("receiver"));
            startHere(l4, run, 6, s.ip("looper"));            // last: it keeps the processor until preempted
            s.log.add("started, not yet run " + res(l4, l4.threadState(run)));
            l4.sleepMicros(2000);
            l4.stop(halted);
            l4.stop(run);
            for (long t : new long[] {me, inactive, fresh, rcv, slp, snd, ret, halted, run})
                s.log.add(ThreadId.toString(t) + " " + res(l4, l4.threadState(t)));
            l4.start(run);
            s.log.add("resumed looper " + res(l4, l4.threadState(run)));
            s.log.add("set returns the old state " + res(l4, prio(l4, halted, 5)));
            kill(l4, run);
        });
        s.run();
        assertEquals(List.of("started, not yet run running", "66.1 running", "67.1 dead", "68.1 waiting", "69.1 waiting",
                "70.1 waiting", "71.1 pending send", "73.1 inactive", "74.1 waiting", "72.1 inactive", "resumed looper running",
                "set returns the old state waiting"), s.log);
    }

    // ------------------------------------------------------------------------ TimeControl'

    @Test
    void timeControlIsReturnedAsPeriodsOfTheOldValues() {
        Scenario s = new Scenario();
        s.entry("idle", l4 -> l4.waitAny());
        s.main(l4 -> {
            long t = id(l4, 1), me = l4.myGlobalId();
            startHere(l4, t, 1, s.ip("idle"));
            l4.threadState(t);
            long tc = l4.reg(UserCpu.R_TIME_CONTROL);
            s.log.add("default " + describe(tc));
            l4.setTimeslice(t, Timeout.period(5000), Timeout.period(100_000));
            s.log.add("set returns old " + describe(l4.reg(UserCpu.R_TIME_CONTROL)));
            l4.threadState(t);
            s.log.add("new " + describe(l4.reg(UserCpu.R_TIME_CONTROL)));
            spin(l4, MEM, 1_000_000);                         // burn about 2 ms of my own slice
            l4.threadState(me);
            long left = Timeout.periodMicros((int) (l4.reg(UserCpu.R_TIME_CONTROL) >>> 16));
            s.log.add("my slice partly used " + (left < 10_000 && left > 5_000) + " (" + left + " µs)");
            s.log.add("bad word leaves TimeControl' 0 " + (l4.schedule(t, U, 7, U, U) == 0 && l4.reg(UserCpu.R_TIME_CONTROL) == 0));
        });
        s.run();
        assertEquals("default slice 10000 µs exact, quantum never", s.log.get(0));
        assertEquals("set returns old slice 10000 µs exact, quantum never", s.log.get(1));
        assertEquals("new slice 5000 µs exact, quantum " + Timeout.periodMicros(Timeout.period(100_000)) + " µs", s.log.get(2));
        assertTrue(s.log.get(3).startsWith("my slice partly used true"), s.log.get(3));
        assertEquals("bad word leaves TimeControl' 0 true", s.log.get(4));
    }

    private static String describe(long timeControl) {
        int ts = (int) (timeControl >>> 16) & 0xFFFF, tq = (int) timeControl & 0xFFFF;
        String slice = Timeout.isPoint(ts) ? "point!" : Timeout.periodMicros(ts) + " µs" + (ts == Timeout.period(Timeout.periodMicros(ts)) ? " exact" : "");
        String quantum = tq == Timeout.NEVER ? "never" : Timeout.isPoint(tq) ? "point!" : Timeout.periodMicros(tq) + " µs";
        return "slice " + slice + ", quantum " + quantum;
    }

    // ---------------------------------------------------------------------------- effects

    @Test
    void aRaisedPriorityRunsFirst() {
        for (boolean raise : new boolean[] {false, true}) {
            Scenario s = new Scenario();
            s.entry("a", l4 -> s.log.add("a"));
            s.entry("b", l4 -> s.log.add("b"));
            s.main(l4 -> {
                long a = id(l4, 1), b = id(l4, 2);
                startHere(l4, a, 1, s.ip("a"));
                startHere(l4, b, 2, s.ip("b"));
                if (raise) s.log.add("raise b " + res(l4, prio(l4, b, 150)));
                l4.sleepMicros(1000);
            });
            s.run();
            assertEquals(raise ? List.of("raise b running", "b", "a") : List.of("a", "b"), s.log);
        }
    }

    @Test
    void loweringMyOwnPriorityBelowAReadyThreadGivesItTheProcessorAtOnce() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> s.log.add("worker"));
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("worker"));
            s.log.add("lower to 100 " + res(l4, prio(l4, l4.myGlobalId(), 100)));
            s.log.add("lower to 99 " + res(l4, prio(l4, l4.myGlobalId(), 99)));
            s.log.add("root again");
        });
        s.run();
        assertEquals(List.of("lower to 100 running", "worker", "lower to 99 running", "root again"), s.log);
    }

    @Test
    void raisingAReadyThreadAboveMeGivesItTheProcessorAtOnce() {
        Scenario s = new Scenario();
        long[] a = new long[1];
        s.entry("a", l4 -> s.log.add("a"));
        s.entry("b", l4 -> {
            s.log.add("b1");
            s.log.add("raise a: " + res(l4, prio(l4, a[0], 150)));
            s.log.add("b2");
        });
        s.main(l4 -> {
            a[0] = id(l4, 2);
            startHere(l4, id(l4, 1), 1, s.ip("b"));
            startHere(l4, a[0], 2, s.ip("a"));
        });
        s.run();
        assertEquals(List.of("b1", "a", "raise a: running", "b2"), s.log);
    }

    @Test
    void loweringAThreadBelowAnotherReordersTheReadyQueue() {
        Scenario s = new Scenario();
        s.entry("a", l4 -> s.log.add("a"));
        s.entry("b", l4 -> s.log.add("b"));
        s.entry("c", l4 -> s.log.add("c"));
        s.main(l4 -> {
            startHere(l4, id(l4, 1), 1, s.ip("a"));
            startHere(l4, id(l4, 2), 2, s.ip("b"));
            startHere(l4, id(l4, 3), 3, s.ip("c"));
            prio(l4, id(l4, 1), 20);
            prio(l4, id(l4, 3), 120);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("c", "b", "a"), s.log);
    }
}
