package ristretto.abi;

/**
 * The block device's registers (offsets in its {@link DeviceRegs} slot; 64-bit words). Sectors
 * are {@link #SECTOR_SIZE} bytes. A driver writes SECTOR, COUNT and DMA (the physical address of
 * its buffer, in RAM below kernel memory), then COMMAND = {@link #READ} (device to memory) or
 * {@link #WRITE} (memory to device); STATUS reads {@link #BUSY} until the transfer completes at
 * its modelled time, then {@link #DONE} or {@link #ERROR} (a range beyond CAPACITY, a DMA address
 * the device may not reach, a host I/O error), and the device raises its line. A command while
 * busy is ignored. CAPACITY is the size in sectors.
 */
public final class BlockRegs {
    private BlockRegs() {}

    public static final long ID_VALUE = DeviceRegs.id("BLK0");
    public static final int SECTOR_SIZE = 512;
    public static final int CAPACITY = 0x08, SECTOR = 0x10, COUNT = 0x18, DMA = 0x20, COMMAND = 0x28, STATUS = 0x30;
    public static final long READ = 1, WRITE = 2;
    public static final long BUSY = 1, DONE = 2, ERROR = 4;
}
