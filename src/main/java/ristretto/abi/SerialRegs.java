package ristretto.abi;

/**
 * The serial console's registers (offsets in its {@link DeviceRegs} slot; 64-bit words). A byte
 * stored to {@link #TX} appears on the host's output stream (flushed at each newline). Bytes from
 * the host queue in the device; each arrival raises the device's line. A load of {@link #RX} takes
 * the oldest: the byte in bits 0-7 with {@link #RX_VALID} set, or 0 when none is waiting — a
 * driver takes bytes until it reads 0, then acknowledges its interrupt. {@link #STATUS} has
 * {@link #RX_READY} while bytes wait and {@link #TX_READY} always; {@link #RX_COUNT} says how many wait.
 */
public final class SerialRegs {
    private SerialRegs() {}

    public static final long ID_VALUE = DeviceRegs.id("UART");
    public static final int STATUS = 0x08, RX = 0x10, TX = 0x18, RX_COUNT = 0x20;
    public static final long RX_READY = 1, TX_READY = 2;
    /** Set in an {@link #RX} value that carries a byte. */
    public static final long RX_VALID = 0x100;
}
