package ristretto.machine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A block device backed by a host file, with DMA. Registers ({@code ristretto.abi.BlockRegs}
 * names them for drivers; 64-bit words):
 * <pre>
 *   0x00 ID        r   "BLK0"
 *   0x08 CAPACITY  r   size in 512-byte sectors (the file's size, rounded down)
 *   0x10 SECTOR    rw  first sector of the transfer
 *   0x18 COUNT     rw  sectors to transfer
 *   0x20 DMA       rw  physical address of the buffer in RAM
 *   0x28 COMMAND   w   1 read (device to memory), 2 write (memory to device): starts it
 *   0x30 STATUS    r   1 BUSY, 2 DONE, 4 ERROR
 * </pre>
 * A transfer takes {@link #SEEK_NS} plus {@link #SECTOR_NS} per sector of machine time; at its end
 * (when CPU 0's clock gets there) the device moves the data between the file and RAM, sets
 * STATUS and raises its line. It refuses (ERROR) a range beyond the capacity, no sectors, and a
 * buffer outside what the machine lets devices reach ({@link Machine#dmaAllowed}: the kernel's
 * memory is out of reach). A command while BUSY is ignored. The file is read and written on
 * CPU 0's carrier thread, when the transfer completes.
 */
public final class BlockDevice extends Device implements AutoCloseable {
    public static final int SECTOR_SIZE = 512;
    public static final int CAPACITY = 0x08, SECTOR = 0x10, COUNT = 0x18, DMA = 0x20, COMMAND = 0x28, STATUS = 0x30;
    public static final long READ = 1, WRITE = 2;
    public static final long BUSY = 1, DONE = 2, ERROR = 4;
    /** Modelled time of a transfer: a fixed start (seek) and a time per sector (about 250 MB/s). */
    public static final long SEEK_NS = 20_000, SECTOR_NS = 2_000;

    private final FileChannel file;
    private final long capacity;
    private long sector, count, dma, status, command;
    private long doneNs = EventQueue.NONE;
    private long reads, writes;

    /** A device on {@code line} backed by {@code file} (opened for reading and writing; it must exist). */
    public BlockDevice(int line, Path file) throws IOException {
        this(line, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /** A device on {@code line} backed by {@code file}, which it closes in {@link #close}. */
    public BlockDevice(int line, FileChannel file) throws IOException {
        super(line);
        this.file = file;
        this.capacity = file.size() / SECTOR_SIZE;
    }

    @Override public long id() { return idOf("BLK0"); }

    @Override public synchronized long nextNs() { return doneNs; }

    @Override public synchronized void poll(long nowNs, InterruptController pic) {
        if (nowNs < doneNs) return;
        doneNs = EventQueue.NONE;
        status = transfer() ? DONE : ERROR;
        pic.raise(line());
    }

    @Override public synchronized long load(int offset, int bytes, long nowNs) {
        return switch (offset) {
            case ID -> id();
            case CAPACITY -> capacity;
            case SECTOR -> sector;
            case COUNT -> count;
            case DMA -> dma;
            case STATUS -> status;
            default -> 0;
        };
    }

    @Override public synchronized void store(int offset, long value, int bytes, long nowNs) {
        switch (offset) {
            case SECTOR -> sector = value;
            case COUNT -> count = value;
            case DMA -> dma = value;
            case COMMAND -> {
                if (status == BUSY || (value != READ && value != WRITE)) return;
                command = value;
                status = BUSY;
                long sectors = count > 0 && count <= capacity ? count : 0;
                doneNs = nowNs + SEEK_NS + sectors * SECTOR_NS;
            }
            default -> {}
        }
    }

    /** The transfer that completes now; false if refused or the host failed. */
    private boolean transfer() {
        if (count <= 0 || sector < 0 || count > capacity || sector > capacity - count || count > Integer.MAX_VALUE / SECTOR_SIZE) return false;
        int len = (int) (count * SECTOR_SIZE);
        PhysicalMemory memory = machine().memory();
        if (!machine().dmaAllowed(dma, len)) return false;
        ByteBuffer buf = ByteBuffer.allocate(len);
        long pos = sector * SECTOR_SIZE;
        try {
            if (command == READ) {
                while (buf.hasRemaining() && file.read(buf, pos + buf.position()) >= 0) {}
                memory.write(dma, buf.array(), 0, len);
                reads++;
            } else {
                memory.read(dma, buf.array(), 0, len);
                while (buf.hasRemaining()) file.write(buf, pos + buf.position());
                writes++;
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Transfers completed: reads, writes. */
    public synchronized long reads() { return reads; }

    public synchronized long writes() { return writes; }

    @Override public void close() throws IOException { file.close(); }
}
