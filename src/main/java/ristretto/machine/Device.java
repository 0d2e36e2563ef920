package ristretto.machine;

/**
 * A device of the simulated machine. It raises its interrupt line at machine times it knows in
 * advance ({@link #nextNs}: the CPU that owns it posts that time to its event queue and calls
 * {@link #poll} when its clock gets there) or, for input from the host, at any moment: then the
 * host side only queues the input in the device and asks the owning CPU for an event check
 * ({@link Cpu#requestCheck}); the device raises its line when that CPU polls it. Never does a
 * host thread touch kernel state.
 *
 * <p>Each device has {@link #MMIO_BYTES} of registers in device memory, the physical addresses
 * above RAM: the slot of its line ({@link Machine#mmioBase}). Loads and stores there reach
 * {@link #load} and {@link #store} with the offset in the slot; word 0 of every device is its
 * identification ({@link #id}), read-only. A device that has no registers reads as zeros.
 * Register accesses come from the CPU that runs the driver, polls from CPU 0 and host input
 * from a host thread: a device with more than one of them synchronises its state itself.
 */
public abstract class Device {
    /** log2 of each device's register space: four pages. */
    public static final int MMIO_LOG2 = 14;
    public static final long MMIO_BYTES = 1L << MMIO_LOG2;
    /** Offset of the identification word, the same in every device. */
    public static final int ID = 0x00;

    private final int line;
    /** The machine, once attached. */
    private Machine machine;

    protected Device(int line) { this.line = line; }

    /** The interrupt line this device raises. */
    public final int line() { return line; }

    /** The next machine time (ns) this device needs the CPU, or {@link EventQueue#NONE}. */
    public abstract long nextNs();

    /** The CPU's clock reached {@code nowNs} (or an event check was requested): raise what is due. */
    public abstract void poll(long nowNs, InterruptController pic);

    /** Whether the device can raise its line at times nobody knows yet (host input): an idle machine waits for it. */
    public boolean external() { return false; }

    /** The identification word at offset {@link #ID}: four ASCII letters, little-endian (0: a device with no registers). */
    public long id() { return 0; }

    /** A load of {@code bytes} (1, 2, 4 or 8) at {@code offset} of the register space, at machine time {@code nowNs}. */
    public long load(int offset, int bytes, long nowNs) { return offset == ID ? id() : 0; }

    /** A store of the low {@code bytes} of {@code value} at {@code offset} of the register space. */
    public void store(int offset, long value, int bytes, long nowNs) {}

    /** The machine this device is attached to (null before). */
    protected final Machine machine() { return machine; }

    /** The physical address of this device's registers (once attached). */
    public final long mmioBase() { return machine.mmioBase(line); }

    /** Called by {@link Machine#attach}. */
    final void attachTo(Machine m) {
        if (machine != null) throw new IllegalStateException("device already attached");
        machine = m;
    }

    /** Four ASCII letters as an identification word ({@code "UART"} reads 'U' in the low byte). */
    protected static long idOf(String letters) {
        long v = 0;
        for (int i = letters.length() - 1; i >= 0; i--) v = v << 8 | (letters.charAt(i) & 0xFF);
        return v;
    }
}
