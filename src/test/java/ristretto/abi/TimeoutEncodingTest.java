package ristretto.abi;

import static org.junit.jupiter.api.Assertions.*;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** {@link Timeout#micros} is exact or refuses; {@link Timeout#period} rounds; time points reach their targets. */
class TimeoutEncodingTest {

    @Test
    void microsEncodesExactlyWhatTheEncodingCanExpress() {
        assertEquals(Timeout.ZERO, Timeout.micros(0));
        for (long n : new long[] {1, 2, 1000, 1023, 1024, 1026, 2048, 999_424, 1000L << 20, 1023L << 31, Timeout.MAX_PERIOD_MICROS}) {
            int t = Timeout.micros(n);
            assertEquals(n, Timeout.periodMicros(t), "micros(" + n + ")");
            assertFalse(Timeout.isPoint(t) || Timeout.isNever(t) || Timeout.isZero(t), "micros(" + n + ")");
        }
        assertEquals(Timeout.period(1000), Timeout.micros(1000));
    }

    @Test
    void microsRefusesWhatItCannotExpressWherePeriodRounds() {
        var e = assertThrows(IllegalArgumentException.class, () -> Timeout.micros(1_000_000));
        assertEquals("1000000 µs is not an exact time period (m · 2^e µs, m < 1024): nearest below 999424 µs, above 1000448 µs", e.getMessage());
        assertEquals(999_424, Timeout.periodMicros(Timeout.period(1_000_000)), "period() keeps rounding down");
        assertThrows(IllegalArgumentException.class, () -> Timeout.micros(1025));
        assertThrows(IllegalArgumentException.class, () -> Timeout.micros(-1));
        var big = assertThrows(IllegalArgumentException.class, () -> Timeout.micros(Timeout.MAX_PERIOD_MICROS + (1L << 31)));
        assertTrue(big.getMessage().endsWith("above none"), big.getMessage());
        assertEquals(Timeout.NEVER, Timeout.period(Long.MAX_VALUE), "period() of the unencodable: NEVER, as documented");
    }

    @Property(tries = 300)
    void microsIsExactOrRefuses(@ForAll @LongRange(min = 0, max = 1L << 44) long n) {
        int rounded = Timeout.period(n);
        try {
            int t = Timeout.micros(n);
            assertEquals(n, Timeout.periodMicros(t));
        } catch (IllegalArgumentException e) {
            assertTrue(Timeout.periodMicros(rounded) != n, n + " was refused but period() encodes it exactly");
        }
    }

    @Property(tries = 500)
    void aTimePointFiresAtOrJustBeforeItsTarget(@ForAll @LongRange(min = 0, max = 1L << 40) long now,
                                               @ForAll @LongRange(min = 0, max = Timeout.MAX_POINT_AHEAD_MICROS) long ahead) {
        long target = now + ahead;
        int t = Timeout.pointAtOrBefore(target, now);
        assertTrue(Timeout.isPoint(t));
        long unit = 1L << ((t >>> 11) & 0xF);
        long deadline = Timeout.pointDeadlineMicros(t, now);
        assertTrue(deadline <= target && deadline > target - unit, "deadline " + deadline + " for target " + target + " unit " + unit);
        assertTrue(unit == 1 || ahead >= (unit << 9), "the finest unit that reaches: " + unit + " for " + ahead + " µs ahead");
    }

    @Property(tries = 300)
    void anExactTimePointNamesItsTarget(@ForAll @LongRange(min = 0, max = 1L << 40) long now,
                                        @ForAll @IntRange(min = 0, max = 30_000_000) int ahead) {
        long target = now + ahead;
        try {
            assertEquals(target, Timeout.pointDeadlineMicros(Timeout.pointAt(target, now), now));
        } catch (IllegalArgumentException e) {
            int t = Timeout.pointAtOrBefore(target, now);
            assertNotEquals(target, Timeout.pointDeadlineMicros(t, now), "refused, yet " + target + " is exact");
        }
    }

    @Test
    void timePointsRefuseThePastAndTheUnreachable() {
        assertThrows(IllegalArgumentException.class, () -> Timeout.pointAtOrBefore(99, 100));
        assertThrows(IllegalArgumentException.class, () -> Timeout.pointAtOrBefore(100 + Timeout.MAX_POINT_AHEAD_MICROS + 1, 100));
        assertEquals(100 + Timeout.MAX_POINT_AHEAD_MICROS - ((100 + Timeout.MAX_POINT_AHEAD_MICROS) % (1 << 15)),
                Timeout.pointDeadlineMicros(Timeout.pointAtOrBefore(100 + Timeout.MAX_POINT_AHEAD_MICROS, 100), 100));
        assertEquals(1001, Timeout.pointDeadlineMicros(Timeout.pointAt(1001, 0), 0), "1023 µs ahead and less: 1 µs units");
        assertThrows(IllegalArgumentException.class, () -> Timeout.pointAt(3001, 0), "3001 µs ahead needs 4 µs units (a point reaches half its period ahead)");
        assertEquals(3000, Timeout.pointDeadlineMicros(Timeout.pointAtOrBefore(3001, 0), 0));
    }

    @Test
    void scheduleAndExchangeRegistersResultsDecode() {
        assertEquals(Schedule.State.WAITING, Schedule.State.of(Schedule.WAITING));
        assertEquals("pending send", Schedule.State.of(4).displayName());
        assertThrows(IllegalArgumentException.class, () -> Schedule.State.of(8));
        Schedule.TimeControl tc = Schedule.TimeControl.of(Schedule.timeControl(Timeout.micros(10_000), Timeout.NEVER));
        assertEquals(new Schedule.TimeControl(10_000, Long.MAX_VALUE), tc);
        long[] regs = {ExRegs.WAS_HALTED | ExRegs.WAS_SENDING, 0x5000, 0x100010, 0x202, 0x99, 0x4200000001L};
        ExRegs.Result r = ExRegs.Result.of(7, i -> regs[i]);
        assertEquals(new ExRegs.Result(7, 5, 0x100010, 0x5000, 0x202, 0x99, 0x4200000001L), r);
        assertTrue(r.halted() && r.sending() && !r.receiving() && !r.failed());
        assertTrue(ExRegs.Result.of(ThreadId.NIL, i -> 0).failed());
    }
}
