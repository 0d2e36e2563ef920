package ristretto.machine;

/**
 * Machine time in nanoseconds since boot. {@link Virtual} is deterministic: it moves only when
 * the machine charges work to it ({@link #advance}) or jumps over idle time ({@link #jumpTo}).
 * {@link Real} follows the host's monotonic clock.
 */
public abstract sealed class Clock permits Clock.Virtual, Clock.Real {

    /** Charges {@code ns} of work (virtual time only) and answers the time now. */
    public abstract long advance(long ns);

    public abstract long nowNs();

    /** Moves time forward to {@code ns} while nothing runs; the real clock waits instead. */
    public abstract void jumpTo(long ns);

    public abstract boolean isVirtual();

    public final long nowMicros() { return nowNs() / 1000; }

    public static Clock virtual() { return new Virtual(); }

    public static Clock real() { return new Real(); }

    public static final class Virtual extends Clock {
        private long now;

        @Override public long advance(long ns) { return now += ns; }

        @Override public long nowNs() { return now; }

        @Override public void jumpTo(long ns) { if (ns > now) now = ns; }

        @Override public boolean isVirtual() { return true; }
    }

    public static final class Real extends Clock {
        private final long base = System.nanoTime();

        @Override public long advance(long ns) { return System.nanoTime() - base; }

        @Override public long nowNs() { return System.nanoTime() - base; }

        @Override public void jumpTo(long ns) {
            long wait;
            while ((wait = ns - nowNs()) > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }

        @Override public boolean isVirtual() { return false; }
    }
}
