package ristretto.abi;

/**
 * X.2 time values (§6): 16-bit relative periods {@code m * 2^e} µs, absolute time points, and
 * the Timeouts word of the IPC system call (send timeout in bits 16-31, receive in 0-15).
 */
public final class Timeout {
    private Timeout() {}

    /** Infinite timeout. */
    public static final int NEVER = 0x0000;
    /** The immediate timeout: m = 0, e = 1. Only this raw value counts as "zero" (§6.1). */
    public static final int ZERO = 0x0400;

    /** The longest period the encoding can express: 1023 · 2^31 µs, about 25 days. */
    public static final long MAX_PERIOD_MICROS = 1023L << 31;

    /**
     * The period of exactly {@code micros} µs. A period is {@code m · 2^e} µs with a 10-bit m
     * and a 5-bit e, so every length below 1024 µs is exact, and above that only lengths whose
     * low bits are zero (1024 · 2^k, 1000 · 2^k, ...): 1,000,000 µs, for one, is not, and
     * {@link #period} would round it down to 999,424 µs. 0 µs is {@link #ZERO}.
     *
     * @throws IllegalArgumentException for a negative length, or one the encoding cannot
     *         express exactly (the message names the nearest expressible lengths)
     */
    public static int micros(long micros) {
        if (micros < 0) throw new IllegalArgumentException("negative time period: " + micros + " µs");
        if (micros == 0) return ZERO;
        int e = Math.max(0, 64 - Long.numberOfLeadingZeros(micros) - 10);    // smallest e with micros >> e < 1024
        if (e > 31 || (micros & ((1L << e) - 1)) != 0) {
            long down = periodMicros(period(Math.min(micros, MAX_PERIOD_MICROS)));
            String up = e > 31 || down + (1L << e) > MAX_PERIOD_MICROS ? "none" : down + (1L << e) + " µs";
            throw new IllegalArgumentException(micros + " µs is not an exact time period (m · 2^e µs, m < 1024):"
                    + " nearest below " + down + " µs, above " + up);
        }
        return (e << 10) | (int) (micros >>> e);
    }

    /**
     * Library encoder for a period, <em>rounding</em> down to an expressible length (by less
     * than 0.1%; use {@link #micros} for an exact period or an error). Unlike Pistachio's, 0 µs
     * (or less) encodes ZERO, not NEVER; beyond {@link #MAX_PERIOD_MICROS} it answers NEVER. The
     * kernel encodes the periods it returns (Schedule's TimeControl') with it.
     */
    public static int period(long micros) {
        if (micros <= 0) return ZERO;
        int e = 0;
        long m = micros;
        while (m >= 1024) { m >>>= 1; e++; }
        if (e > 31) return NEVER;
        return (e << 10) | (int) m;
    }

    public static boolean isPoint(int t) { return (t & 0x8000) != 0; }

    public static boolean isNever(int t) { return t == NEVER; }

    public static boolean isZero(int t) { return t == ZERO; }

    /** The length of a relative period in µs; NEVER answers {@code Long.MAX_VALUE}. */
    public static long periodMicros(int t) {
        if (t == NEVER) return Long.MAX_VALUE;
        return (long) (t & 0x3FF) << ((t >>> 10) & 0x1F);
    }

    /**
     * Encodes the absolute time point that designates {@code targetMicros} with exponent e
     * (0..15), relative to the clock value {@code nowMicros} used to disambiguate wrap-around.
     */
    public static int point(long targetMicros, int e) {
        int m = (int) ((targetMicros >>> e) & 0x3FF);
        int c = (int) ((targetMicros >>> (e + 10)) & 1);
        return 0x8000 | ((e & 0xF) << 11) | (c << 10) | m;
    }

    /**
     * The absolute time point of exactly {@code targetMicros}, for a clock that reads
     * {@code nowMicros}: the finest exponent that reaches that far ahead. A time point has a
     * 10-bit mantissa, so it names only multiples of 2^e µs; a point designates the matching clock
     * value nearest to now, so it reaches less than 2^(e+10) µs ahead, at most about 33 s (e = 15);
     * use a period beyond that.
     *
     * @throws IllegalArgumentException if the target is in the past, too far ahead, or not a
     *         multiple of the unit 2^e µs that reaches it ({@link #pointAtOrBefore} rounds instead)
     */
    public static int pointAt(long targetMicros, long nowMicros) {
        int t = pointAtOrBefore(targetMicros, nowMicros);
        long unit = 1L << ((t >>> 11) & 0xF);
        if (targetMicros % unit != 0)
            throw new IllegalArgumentException("time point " + targetMicros + " µs is not a multiple of " + unit
                    + " µs, the unit of a point " + (targetMicros - nowMicros) + " µs ahead");
        return t;
    }

    /**
     * The absolute time point at {@code targetMicros} rounded down to a multiple of its unit
     * 2^e µs, with the finest e that reaches it from {@code nowMicros}: it never fires late, and
     * early by less than 2^e µs (less than 0.1% of the distance).
     *
     * @throws IllegalArgumentException if the target is in the past or more than about 33 s ahead
     */
    public static int pointAtOrBefore(long targetMicros, long nowMicros) {
        long ahead = targetMicros - nowMicros;
        if (nowMicros < 0 || ahead < 0)
            throw new IllegalArgumentException("time point " + targetMicros + " µs is in the past (now " + nowMicros + " µs)");
        for (int e = 0; e <= 15; e++)
            if (ahead < (1L << (e + 10))) return point(targetMicros, e);
        throw new IllegalArgumentException("time point " + ahead + " µs ahead is beyond the reach of a time point"
                + " (" + MAX_POINT_AHEAD_MICROS + " µs); use a period");
    }

    /** How far ahead the coarsest time point (e = 15) reaches: 2^25 − 1 µs, about 33 s. */
    public static final long MAX_POINT_AHEAD_MICROS = (1L << 25) - 1;

    /**
     * X.2 absolute time point: the clock value whose bits e..e+9 equal m and whose bit e+10
     * equals c, taken as the one nearest to {@code nowMicros} (within half of the 2^(e+11) µs
     * period after which the pattern repeats; the c bit is what makes that window unambiguous).
     * The answer may lie in the past: such a point has expired, and a timeout given by it is a
     * zero timeout.
     */
    public static long pointDeadlineMicros(int t, long nowMicros) {
        int e = (t >>> 11) & 0xF;
        long m = t & 0x3FF;
        long c = (t >>> 10) & 1;
        long unit = 1L << e;
        long field = (c << 10) | m;            // 11 bits: c, then m
        long span = 1L << (e + 11);             // the period after which the pattern repeats
        long candidate = (nowMicros & ~(span - 1)) + field * unit;
        if (candidate - nowMicros > span / 2) candidate -= span;
        else if (nowMicros - candidate >= span / 2) candidate += span;
        return candidate;
    }

    public static int send(long timeouts) { return (int) ((timeouts >>> 16) & 0xFFFF); }

    public static int receive(long timeouts) { return (int) (timeouts & 0xFFFF); }

    public static long timeouts(int snd, int rcv) {
        return ((long) (snd & 0xFFFF) << 16) | (rcv & 0xFFFF);
    }

    /** Both NEVER: the Timeouts word of a Call. */
    public static final long NEVER_NEVER = 0L;
}
