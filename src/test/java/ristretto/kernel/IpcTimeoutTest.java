package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.system.Ristretto;
import ristretto.user.L4;
import ristretto.system.Harness;

/**
 * IPC timeouts on the virtual clock (§6): relative periods of every exponent expire exactly
 * m·2^e µs after the thread blocked (the wakeup wheel is µs-exact while the CPU idles), absolute
 * time points (X.2) at the designated clock value, never never; deadlines are counted from the
 * moment of blocking and are cancelled when the partner comes first.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class IpcTimeoutTest {
    final Map<String, Object> rec = new LinkedHashMap<>();

    /** (m, e) pairs: every exponent region, including the extremes 2^0 and 2^31 µs. */
    static final int[][] PERIODS = {{1, 0}, {1023, 0}, {5, 1}, {100, 5}, {3, 10}, {1, 15}, {7, 20}, {1, 25}, {2, 31}, {1023, 31}};

    static int period(int m, int e) { return (e << 10) | m; }

    @Test
    void receiveTimeoutsOfEveryExponentExpireExactlyAfterTheirPeriod() {
        List<Long> elapsed = new ArrayList<>();
        List<Long> errors = new ArrayList<>();
        runUnlimited(root -> {
            L4 l4 = root.l4;
            for (int[] p : PERIODS) {
                align(l4);
                long before = l4.systemClock();
                l4.receive(l4.myGlobalId(), period(p[0], p[1]));
                elapsed.add(l4.systemClock() - before);
                errors.add(l4.errorCode());
            }
        });
        for (int i = 0; i < PERIODS.length; i++) {
            long expected = (long) PERIODS[i][0] << PERIODS[i][1];
            assertEquals(expected, elapsed.get(i), "period m=" + PERIODS[i][0] + " e=" + PERIODS[i][1]);
            assertEquals(err(RECV, IpcError.TIMEOUT), errors.get(i));
        }
    }

    @Test
    void sendTimeoutsOfEveryExponentExpireExactlyAfterTheirPeriod() {
        List<Long> elapsed = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        runUnlimited(root -> {
            long busy = root.local(l4 -> l4.receive(l4.myGlobalId()));   // sleeps forever, never receives
            L4 l4 = root.l4;
            root.sleep(1);
            for (int[] p : PERIODS) {
                align(l4);
                long before = l4.systemClock();
                l4.loadMsg(0x7);
                l4.send(busy, period(p[0], p[1]));
                elapsed.add(l4.systemClock() - before);
                outcomes.add(Outcome.of(l4));
            }
            rec.put("busy", busy);
        });
        for (int i = 0; i < PERIODS.length; i++) {
            assertEquals((long) PERIODS[i][0] << PERIODS[i][1], elapsed.get(i), "period m=" + PERIODS[i][0] + " e=" + PERIODS[i][1]);
            assertEquals(err(SEND, IpcError.TIMEOUT), outcomes.get(i).errorCode());
            assertEquals(MsgTag.make(0x7, 0, 0) | MsgTag.FLAG_ERROR, outcomes.get(i).tag());
        }
    }

    @Test
    void absoluteTimePointsExpireAtTheDesignatedClockValue() {
        Map<String, long[]> r = new LinkedHashMap<>();   // name -> {now, target, woke}
        run(root -> {
            L4 l4 = root.l4;
            long busy = root.local(b -> b.receive(b.myGlobalId()));
            root.sleep(1);
            align(l4);
            long now = l4.systemClock();
            long t = now + 777;
            l4.receive(l4.myGlobalId(), Timeout.point(t, 0));
            r.put("e=0", new long[] {now, t, l4.systemClock(), l4.errorCode()});

            align(l4);
            now = l4.systemClock();
            t = (now + 1000) & ~15L;
            l4.receive(l4.myGlobalId(), Timeout.point(t, 4));
            r.put("e=4", new long[] {now, t, l4.systemClock(), l4.errorCode()});

            align(l4);
            now = l4.systemClock();
            t = now + 1000;                               // not a multiple of 16: bits 0..3 are not part of the point
            l4.receive(l4.myGlobalId(), Timeout.point(t, 4));
            r.put("e=4 unaligned", new long[] {now, t & ~15L, l4.systemClock(), l4.errorCode()});

            align(l4);
            now = l4.systemClock();
            t = (now + 300_000) & ~1023L;
            l4.receive(l4.myGlobalId(), Timeout.point(t, 10));
            r.put("e=10", new long[] {now, t, l4.systemClock(), l4.errorCode()});

            align(l4);
            now = l4.systemClock();
            t = now - 5;                                  // already passed: a zero timeout, fails at once
            l4.receive(l4.myGlobalId(), Timeout.point(t, 0));
            r.put("past", new long[] {now, now, l4.systemClock(), l4.errorCode()});

            align(l4);
            now = l4.systemClock();
            t = now + 500;
            l4.loadMsg(0x1);
            l4.send(busy, Timeout.point(t, 0));
            r.put("send", new long[] {now, t, l4.systemClock(), l4.errorCode()});
        });
        r.forEach((k, v) -> {
            assertEquals(v[1], v[2], k + ": woke at " + v[2] + ", expected " + v[1] + " (blocked at " + v[0] + ")");
            assertEquals(err(k.equals("send") ? SEND : RECV, IpcError.TIMEOUT), v[3], k);
        });
    }

    @Test
    void neverMeansBlockingUntilThePartnerComesOrForever() {
        long[] id = new long[3];
        Harness h = run(root -> {
            id[0] = root.local(l4 -> { l4.receive(id[1]); rec.put("woke", true); });
            id[1] = root.local(l4 -> { l4.loadMsg(0x1); l4.send(id[2]); rec.put("sent", true); });
            id[2] = root.local(l4 -> {
                l4.receive(l4.myGlobalId(), Timeout.NEVER);   // sleep forever
                rec.put("slept", true);
            });
            root.sleep(10_000);
            rec.put("root end", root.l4.systemClock());
        });
        assertTrue(rec.keySet().stream().noneMatch(k -> k.equals("woke") || k.equals("sent") || k.equals("slept")), rec::toString);
        assertEquals("waiting_forever", h.kernel().stateOf(id[0]));
        assertEquals("polling", h.kernel().stateOf(id[1]));
        assertEquals("waiting_forever", h.kernel().stateOf(id[2]));
        // Nothing was left to wake: the machine halted right after the root's last sleep.
        long end = h.kernel().machine().clock().nowMicros();
        assertTrue(end - (Long) rec.get("root end") < 2, () -> "halted at " + end + " µs, root ended at " + rec.get("root end"));
    }

    @Test
    void aDeadlineIsCancelledWhenThePartnerComesFirst() {
        long[] id = new long[5];
        run(root -> {
            id[0] = root.local(l4 -> {                    // receives with a 1000 µs timeout; message at 300
                l4.receive(id[1], Timeout.period(1000));
                rec.put("r", Outcome.of(l4));
                l4.receive(id[4]);                        // no timeout: a stale deadline at 1000 must not end it
                rec.put("r next", Outcome.of(l4));
                rec.put("r next at", l4.systemClock());
            });
            id[1] = root.local(l4 -> { l4.sleepMicros(300); l4.loadMsg(0x3); l4.send(id[0]); });
            id[2] = root.local(l4 -> {                    // sends with a 1000 µs timeout; received at 300
                l4.loadMsg(0x4);
                l4.send(id[3], Timeout.period(1000));
                rec.put("s", Outcome.of(l4));
                l4.receive(id[4]);
                rec.put("s next", Outcome.of(l4));
                rec.put("s next at", l4.systemClock());
            });
            id[3] = root.local(l4 -> { l4.sleepMicros(300); l4.receive(id[2]); });
            id[4] = root.local(l4 -> {                    // answers both at 3000 µs
                l4.sleepMicros(3000);
                l4.loadMsg(0x5);
                l4.send(id[0]);
                l4.send(id[2]);
            });
        });
        assertTrue(((Outcome) rec.get("r")).ok(), rec::toString);
        assertTrue(((Outcome) rec.get("s")).ok(), rec::toString);
        assertTrue(((Outcome) rec.get("r next")).ok(), "a stale receive deadline ended a later IPC: " + rec);
        assertTrue(((Outcome) rec.get("s next")).ok(), "a stale send deadline ended a later IPC: " + rec);
        assertTrue((Long) rec.get("r next at") >= 3000 && (Long) rec.get("s next at") >= 3000, rec::toString);
    }

    @Test
    void theReceiveTimeoutOfACallRunsFromTheEndOfItsSendPhase() {
        long[] id = new long[2];
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(100);                      // the client queues for 100 µs
                l4.waitAny();
                rec.put("server got at", l4.systemClock());
                l4.receive(l4.myGlobalId());              // never replies
            });
            id[1] = root.local(l4 -> {
                l4.loadMsg(0x1);
                l4.call(id[0], Timeout.NEVER, Timeout.period(200));
                rec.put("client failed at", l4.systemClock());
                rec.put("client", Outcome.of(l4));
            });
        });
        assertEquals(err(RECV, IpcError.TIMEOUT), ((Outcome) rec.get("client")).errorCode());
        assertEquals((Long) rec.get("server got at") + 200, rec.get("client failed at"));
    }

    @Test
    void onlyTheRawZeroIsTheImmediateTimeoutOtherZeroLengthPeriodsBlockAndExpire() {
        Harness h = run(root -> {
            L4 l4 = root.l4;
            align(l4);
            long before = l4.systemClock();
            l4.receive(l4.myGlobalId(), 0x0800);          // m = 0, e = 2: 0 µs, but not L4_ZeroTime
            rec.put("0x0800", Outcome.of(l4));
            rec.put("0x0800 elapsed", l4.systemClock() - before);
            l4.receive(l4.myGlobalId(), Timeout.ZERO);
            rec.put("zero", Outcome.of(l4));
        });
        assertEquals(err(RECV, IpcError.TIMEOUT), ((Outcome) rec.get("0x0800")).errorCode());
        assertEquals(err(RECV, IpcError.TIMEOUT), ((Outcome) rec.get("zero")).errorCode());
        assertEquals(0L, rec.get("0x0800 elapsed"));
        long root = h.kernel().rootTaskId();
        long blocks = h.kernel().trace().events().stream().filter(e -> e.a() == root && e.kind().equals("block-receive")).count();
        long timeouts = h.kernel().trace().events().stream().filter(e -> e.a() == root && e.kind().equals("timeout")).count();
        assertEquals(3, blocks, "the request to sigma0 for the root's memory, align and the 0x0800 receive block; the zero receive does not");
        assertEquals(2, timeouts);
        assertEquals(Timeout.ZERO, Timeout.period(0), "the library encodes 0 µs as the zero timeout (Pistachio: never)");
        assertEquals(Timeout.NEVER, 0);
    }

    @Test
    void whileTheCpuIsBusyATimeoutFiresAtItsDeadlineNotAtTheNextTimerTick() {
        long[] id = new long[2];
        long tickUs = IpcScenario.MACHINE.timerPeriodNs() / 1000;
        run(root -> {
            id[0] = root.local(l4 -> {
                long before = l4.systemClock();
                l4.receive(l4.myGlobalId(), Timeout.period(300));
                rec.put("blocked at", before);
                rec.put("woke at", l4.systemClock());
            });
            id[1] = root.local(l4 -> {                    // keeps the CPU busy for about 3 ticks
                long a = Ristretto.ROOT_MEMORY_BASE;
                for (int i = 0; i < 3 * tickUs * 1000; i++) l4.store(a, l4.load(a) + 1);
            });
            root.prio(id[0], 150);
        });
        long blocked = (Long) rec.get("blocked at"), woke = (Long) rec.get("woke at");
        long deadline = blocked + 300;
        // The deadline is an event of its own (TimedEventsTest): taken at the memory access that
        // reaches it, read one kernel entry later; a timer tick is every tickUs.
        assertTrue(woke >= deadline && woke <= deadline + 1, () -> "deadline " + deadline + ", woke " + woke + ", tick every " + tickUs);
    }

    @Test
    void theTimeoutsWordPacksSendAndReceiveTimeouts() {
        long w = Timeout.timeouts(Timeout.period(1000), Timeout.ZERO);
        assertEquals(Timeout.period(1000), Timeout.send(w));
        assertEquals(Timeout.ZERO, Timeout.receive(w));
        assertEquals((long) Timeout.period(1000) << 16 | Timeout.ZERO, w);
        assertEquals(0, Timeout.NEVER_NEVER);
        assertEquals(1000L, Timeout.periodMicros(Timeout.period(1000)));
        assertEquals(976L << 10, Timeout.periodMicros(Timeout.period(1_000_000)), "the encoder truncates to 10 mantissa bits");
        assertEquals(0x8000 | (4 << 11) | 0x3FF, Timeout.point(0x3FF0, 4) & 0xFFFF, "m = bits 4..13, c = bit 14");
        assertTrue(ThreadId.isNil(ThreadId.NIL));
    }
}
