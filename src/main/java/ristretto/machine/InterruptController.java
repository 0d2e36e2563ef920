package ristretto.machine;

/**
 * A simple interrupt controller: up to 64 lines, each with a pending bit and a mask bit.
 * A raised line that is unmasked makes {@link #pendingUnmasked()} non-zero; the kernel polls it
 * at its next interrupt check. Line 0 is the timer.
 */
public final class InterruptController {
    public static final int TIMER_LINE = 0;
    private final int lines;
    private long pending;
    private long masked;

    public InterruptController(int lines) {
        if (lines < 1 || lines > 64) throw new IllegalArgumentException("1..64 lines");
        this.lines = lines;
        this.masked = lines == 64 ? -1L : (1L << lines) - 1;   // everything masked at reset
        this.masked &= ~(1L << TIMER_LINE);
    }

    public int lines() { return lines; }

    public void raise(int line) { pending |= 1L << line; }

    public void mask(int line) { masked |= 1L << line; }

    public void unmask(int line) { masked &= ~(1L << line); }

    public boolean isMasked(int line) { return (masked & (1L << line)) != 0; }

    public boolean isPending(int line) { return (pending & (1L << line)) != 0; }

    public long pendingUnmasked() { return pending & ~masked; }

    /** Acknowledges the lowest pending unmasked line and answers it, or -1. */
    public int acknowledge() {
        long p = pendingUnmasked();
        if (p == 0) return -1;
        int line = Long.numberOfTrailingZeros(p);
        pending &= ~(1L << line);
        return line;
    }
}
