package ristretto.machine;

/**
 * A programmable timer: one-shot or periodic, in machine nanoseconds, raising its line when due.
 * Registers (64-bit words; {@code ristretto.abi.TimerRegs} names them for drivers):
 * <pre>
 *   0x00 ID        r   "TIMR"
 *   0x08 NOW       r   machine time now (ns)
 *   0x10 DEADLINE  rw  one-shot: when it fires (absolute ns); periodic: the first expiry (0: now + PERIOD)
 *   0x18 PERIOD    rw  periodic: the interval (ns, &gt; 0)
 *   0x20 CONTROL   rw  0 stopped, 1 one-shot, 2 periodic; writing it (re)starts the timer
 *   0x28 EXPIRIES  r   expiries so far, also those that fell while its line was still pending
 * </pre>
 * Periodic expiries keep to the grid {@code first + k * PERIOD} however late the CPU looks: a
 * poll that finds several due counts them all and raises the line once. A one-shot timer stops
 * after it fired (CONTROL reads 0 again). Only the CPU that runs the driver and CPU 0 touch it,
 * each under the device's lock.
 */
public final class ProgrammableTimer extends Device {
    public static final int NOW = 0x08, DEADLINE = 0x10, PERIOD = 0x18, CONTROL = 0x20, EXPIRIES = 0x28;
    public static final long STOPPED = 0, ONE_SHOT = 1, PERIODIC = 2;

    private long deadline, period, control, expiries;
    /** The next expiry while running, else {@link EventQueue#NONE}. */
    private long nextNs = EventQueue.NONE;

    public ProgrammableTimer(int line) { super(line); }

    @Override public long id() { return idOf("TIMR"); }

    @Override public synchronized long nextNs() { return nextNs; }

    @Override public synchronized void poll(long nowNs, InterruptController pic) {
        if (nowNs < nextNs) return;
        if (control == PERIODIC) {
            long missed = (nowNs - nextNs) / period;
            expiries += missed + 1;
            nextNs += (missed + 1) * period;
        } else {
            expiries++;
            control = STOPPED;
            nextNs = EventQueue.NONE;
        }
        pic.raise(line());
    }

    @Override public synchronized long load(int offset, int bytes, long nowNs) {
        return switch (offset) {
            case ID -> id();
            case NOW -> nowNs;
            case DEADLINE -> deadline;
            case PERIOD -> period;
            case CONTROL -> control;
            case EXPIRIES -> expiries;
            default -> 0;
        };
    }

    @Override public synchronized void store(int offset, long value, int bytes, long nowNs) {
        switch (offset) {
            case DEADLINE -> deadline = value;
            case PERIOD -> period = value;
            case CONTROL -> start(value, nowNs);
            default -> {}
        }
    }

    /** CONTROL written: stops, or arms the one-shot deadline or the periodic grid (a period of 0 stops). */
    private void start(long mode, long nowNs) {
        control = mode;
        if (mode == ONE_SHOT) nextNs = deadline;
        else if (mode == PERIODIC && period > 0) nextNs = deadline > 0 ? deadline : nowNs + period;
        else {
            control = STOPPED;
            nextNs = EventQueue.NONE;
        }
    }

    /** Expiries so far. */
    public synchronized long expiries() { return expiries; }
}
