package ristretto.machine;

/**
 * A device of the simulated machine. It raises its interrupt line at machine times it knows in
 * advance ({@link #nextNs}: the CPU that owns it posts that time to its event queue and calls
 * {@link #poll} when its clock gets there) or, for input from the host, at any moment: then the
 * host side only queues the input in the device and asks the owning CPU for an event check
 * ({@link Cpu#requestCheck}); the device raises its line when that CPU polls it. Never does a
 * host thread touch kernel state.
 */
public abstract class Device {
    private final int line;

    protected Device(int line) { this.line = line; }

    /** The interrupt line this device raises. */
    public final int line() { return line; }

    /** The next machine time (ns) this device needs the CPU, or {@link EventQueue#NONE}. */
    public abstract long nextNs();

    /** The CPU's clock reached {@code nowNs} (or an event check was requested): raise what is due. */
    public abstract void poll(long nowNs, InterruptController pic);

    /** Whether the device can raise its line at times nobody knows yet (host input): an idle machine waits for it. */
    public boolean external() { return false; }
}
