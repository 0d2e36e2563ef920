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

    /** Library encoder for a period. Unlike Pistachio's, 0 µs encodes ZERO, not NEVER. */
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
