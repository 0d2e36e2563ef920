package ristretto.abi;

/**
 * Device memory as drivers see it: every interrupt line has a slot of 2^{@link #SLOT_LOG2}
 * bytes of device registers in physical memory above RAM, line {@code n}'s at
 * {@code base + n * 2^SLOT_LOG2}, where {@code base} is the low address of the KIP's physical
 * memory descriptor of type dedicated (§12.2). Sigma0 hands a slot out on explicit request
 * (label −6, §14.2), never on a page fault. Registers are 64-bit words, little-endian; word 0 of
 * every slot identifies the device (four ASCII letters, the first in the low byte; 0: none).
 * The device classes' own constants must agree ({@code DeviceRegsTest} checks).
 */
public final class DeviceRegs {
    private DeviceRegs() {}

    public static final int SLOT_LOG2 = 14;
    public static final long SLOT_BYTES = 1L << SLOT_LOG2;
    /**
     * The lines the system attaches its own devices on (the command line's {@code --disk}, the
     * console): drivers of the booted system find them there.
     */
    public static final int CONSOLE_LINE = 1, DISK_LINE = 2, TIMER_LINE = 3;
    /** The identification word's offset. */
    public static final int ID = 0x00;

    /** The physical address of line {@code line}'s registers, for device memory starting at {@code base}. */
    public static long slot(long base, int line) { return base + (long) line * SLOT_BYTES; }

    /** The identification word of four ASCII letters ({@code "UART"}). */
    public static long id(String letters) {
        long v = 0;
        for (int i = letters.length() - 1; i >= 0; i--) v = v << 8 | (letters.charAt(i) & 0xFF);
        return v;
    }
}
