package ristretto.machine;

import java.util.Arrays;

/**
 * One CPU's queue of timed events: each event source (the timer, the kernel's timeouts, the end
 * of the running timeslice, and later the devices) posts the machine time at which it next needs
 * the CPU's attention. The CPU looks at its events as soon as its clock reaches the earliest one
 * ({@link Cpu#charge}), not at the next timer tick, so a 10 µs timeout fires after 10 µs of
 * virtual time even while a thread computes.
 *
 * <p>A handful of sources, each with one due time: posting is O(1) and can only bring the
 * earliest time forward; cancelling leaves it where it is (an early look finds nothing and
 * {@link #recompute}s), so neither ever scans. Not thread-safe: only the owning CPU posts.
 */
public final class EventQueue {
    /** The event sources. Devices take the numbers from {@link #DEVICE_BASE} up. */
    public static final int TIMER = 0, TIMEOUTS = 1, SLICE = 2, DEVICE_BASE = 3;
    public static final long NONE = Long.MAX_VALUE;

    private final long[] due;
    private long earliest = NONE;

    public EventQueue(int sources) {
        if (sources < DEVICE_BASE) throw new IllegalArgumentException("at least " + DEVICE_BASE + " sources");
        due = new long[sources];
        Arrays.fill(due, NONE);
    }

    /** Source {@code s} next needs the CPU at machine time {@code dueNs} ({@link #NONE}: never). */
    public void post(int s, long dueNs) {
        due[s] = dueNs;
        if (dueNs < earliest) earliest = dueNs;
    }

    public void cancel(int s) { due[s] = NONE; }

    public long due(int s) { return due[s]; }

    /** The earliest due time posted (possibly of an event cancelled since). */
    public long earliest() { return earliest; }

    /** Recomputes the earliest due time exactly and answers it. */
    public long recompute() {
        long m = NONE;
        for (long d : due) if (d < m) m = d;
        return earliest = m;
    }
}
