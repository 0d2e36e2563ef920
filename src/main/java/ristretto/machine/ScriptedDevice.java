package ristretto.machine;

import java.util.Arrays;

/**
 * A test device: raises its line at scripted machine times (ns, ascending), as many times as the
 * script says — a burst is many raises at close or equal times. A raise while the line is still
 * pending at the controller merges with it (the controller has one pending bit per line), which
 * the device counts, so a test can tell delivered from merged interrupts.
 */
public final class ScriptedDevice extends Device {
    private final long[] times;
    private int next;
    private long raised, merged;

    public ScriptedDevice(int line, long... timesNs) {
        super(line);
        this.times = timesNs.clone();
        Arrays.sort(this.times);
    }

    @Override public long nextNs() { return next < times.length ? times[next] : EventQueue.NONE; }

    @Override public void poll(long nowNs, InterruptController pic) {
        while (next < times.length && times[next] <= nowNs) {
            next++;
            if (pic.isPending(line())) merged++;
            else raised++;
            pic.raise(line());
        }
    }

    /** Raises that set the line's pending bit. */
    public long raised() { return raised; }

    /** Raises that found the line already pending. */
    public long merged() { return merged; }

    /** Raises still to come. */
    public int remaining() { return times.length - next; }
}
