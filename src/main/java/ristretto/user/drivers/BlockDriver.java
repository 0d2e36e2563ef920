package ristretto.user.drivers;

import ristretto.abi.BlockRegs;
import ristretto.abi.Fpage;
import ristretto.user.L4;
import ristretto.user.Sigma0Client;

/**
 * A user-level driver for the block device ({@link BlockRegs}): maps the registers and a DMA
 * buffer from sigma0 (both at their physical addresses, so the buffer's address is what the
 * device is told), associates the calling thread with the device's interrupt, and reads and
 * writes sectors synchronously: program the transfer, wait for the completion interrupt,
 * acknowledge it, copy between the buffer and the caller's array.
 */
public final class BlockDriver {
    private final L4 l4;
    private final long regs, irq, buffer;
    private final int bufferSectors;

    private BlockDriver(L4 l4, long regs, long irq, long buffer, int bufferBytes) {
        this.l4 = l4;
        this.regs = regs;
        this.irq = irq;
        this.buffer = buffer;
        this.bufferSectors = bufferBytes / BlockRegs.SECTOR_SIZE;
    }

    /**
     * Opens the block device on {@code line} for the calling thread (privileged, to take the
     * interrupt) with a DMA buffer of 2^{@code log2Buffer} bytes (at least a page) from sigma0.
     * Answers null if sigma0 refused the registers or the buffer, the device is not a block
     * device, or the association failed.
     */
    public static BlockDriver open(L4 l4, int line, int log2Buffer) {
        long regs = DeviceMemory.map(l4, line);
        if (regs < 0 || l4.load(regs) != BlockRegs.ID_VALUE) return null;
        long fp = Sigma0Client.getAny(l4, Math.max(log2Buffer, 12));
        if (Fpage.isNil(fp)) return null;
        long irq = L4.interruptThread(line);
        if (!l4.associateInterrupt(irq, l4.myGlobalId())) return null;
        return new BlockDriver(l4, regs, irq, Fpage.address(fp), 1 << Fpage.log2Size(fp));
    }

    /** The device's size in sectors. */
    public long capacity() { return l4.load(regs + BlockRegs.CAPACITY); }

    /** Sectors one transfer can move: the DMA buffer's size. */
    public int maxSectors() { return bufferSectors; }

    /** Reads {@code count} sectors from {@code sector} into {@code dst} from {@code off}; answers whether the device did. */
    public boolean read(long sector, int count, byte[] dst, int off) {
        if (!transfer(BlockRegs.READ, sector, count)) return false;
        l4.read(buffer, dst, off, count * BlockRegs.SECTOR_SIZE);
        return true;
    }

    /** Writes {@code count} sectors from {@code src} (from {@code off}) to {@code sector}; answers whether the device did. */
    public boolean write(long sector, int count, byte[] src, int off) {
        if (count < 0 || count > bufferSectors) return false;
        l4.write(buffer, src, off, count * BlockRegs.SECTOR_SIZE);
        return transfer(BlockRegs.WRITE, sector, count);
    }

    /** One transfer through the DMA buffer, waited for: its completion interrupt, acknowledged. */
    private boolean transfer(long command, long sector, int count) {
        if (count <= 0 || count > bufferSectors) return false;
        l4.store(regs + BlockRegs.SECTOR, sector);
        l4.store(regs + BlockRegs.COUNT, count);
        l4.store(regs + BlockRegs.DMA, buffer);
        l4.store(regs + BlockRegs.COMMAND, command);
        if (L4.failed(l4.receive(irq))) return false;
        long status = l4.load(regs + BlockRegs.STATUS);
        l4.send(irq);                                           // acknowledged: the line is unmasked
        return status == BlockRegs.DONE;
    }
}
