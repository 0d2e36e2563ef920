package ristretto.machine;

/** A periodic timer device that raises its interrupt line every {@code periodNs}. */
public final class Timer {
    private final long periodNs;
    private long nextNs;

    public Timer(long periodNs) {
        if (periodNs <= 0) throw new IllegalArgumentException("period");
        this.periodNs = periodNs;
        this.nextNs = periodNs;
    }

    public long periodNs() { return periodNs; }

    public long nextNs() { return nextNs; }

    /** Raises the line if a tick is due at {@code nowNs}; answers how many ticks elapsed. */
    public long poll(long nowNs, InterruptController pic) {
        if (nowNs < nextNs) return 0;
        long ticks = (nowNs - nextNs) / periodNs + 1;
        nextNs += ticks * periodNs;
        pic.raise(InterruptController.TIMER_LINE);
        return ticks;
    }
}
