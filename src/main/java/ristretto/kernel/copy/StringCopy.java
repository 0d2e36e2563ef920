package ristretto.kernel.copy;

import java.lang.foreign.MemorySegment;
import ristretto.kernel.Kernel;
import ristretto.machine.CostModel;
import ristretto.machine.Cpu;
import ristretto.machine.PageTable;
import ristretto.machine.PhysicalMemory;

/**
 * One CPU's string copier: moves up to {@link #CHUNK} bytes from a virtual range of the sending
 * space to a virtual range of the receiving space, page run by page run with
 * {@code MemorySegment.copy} (physically contiguous pages form one run), and stops at the first
 * page that does not translate with the rights needed — read in the sender's space, write in the
 * receiver's — recording which side and address that was ({@link #faultSide}, {@link
 * #faultAddress}). A page of device memory (registers, above RAM) stops it too, marked
 * {@link #onDevice}: strings are not copied to or from device registers. Never blocks: the caller resolves the fault and calls again. Each run read or
 * written is reported to the CPU's cost model when there is one.
 */
public abstract sealed class StringCopy permits CopyInOut, TemporaryMapping {
    /** At most this much per call: the kernel buffer's size; between calls the kernel may be preempted. */
    public static final int CHUNK = 64 * 1024;
    /** {@link #faultSide}: the copy stopped at a page of the sender's or of the receiver's space. */
    public static final int SENDER = 1, RECEIVER = 2;

    final Cpu cpu;
    final MemorySegment phys;
    public int faultSide;
    public long faultAddress;
    /** The copy stopped at a page mapped to device memory: no pager can make that copyable. */
    public boolean onDevice;

    StringCopy(Cpu cpu, MemorySegment phys) {
        this.cpu = cpu;
        this.phys = phys;
    }

    /** The strategy {@code mode} for {@code cpu}; copy in / copy out uses the kernel buffer at {@code bufferPhys} ({@link #CHUNK} bytes). */
    public static StringCopy create(Kernel.Copy mode, Cpu cpu, MemorySegment phys, long bufferPhys) {
        return mode == Kernel.Copy.COPY_IN_OUT ? new CopyInOut(cpu, phys, bufferPhys) : new TemporaryMapping(cpu, phys);
    }

    /**
     * Copies up to {@code min(len, CHUNK)} bytes from {@code src} in the space of {@code from}
     * (address-space number {@code fromAsid}) to {@code dst} in that of {@code to}; {@code
     * srcHint} and {@code dstHint} are the two strings' cache allocation hints. Answers the bytes
     * copied; fewer than asked means a fault, described in {@link #faultSide} and {@link #faultAddress}.
     */
    public abstract long copy(PageTable from, int fromAsid, PageTable to, int toAsid, long src, long dst, long len,
                              int srcHint, int dstHint);

    /** The physical address of {@code vaddr} in the sender's space for reading, or -1 after recording the fault. */
    final long sourcePage(PageTable from, int fromAsid, long vaddr) {
        long pa = inUserArea(vaddr) ? cpu.translateIn(from, fromAsid, vaddr, ristretto.machine.Pte.R) : -1;
        return checked(pa, SENDER, vaddr);
    }

    /** {@code pa}, the translation of {@code vaddr} on {@code side}; or -1 after recording a fault (also for device memory). */
    final long checked(long pa, int side, long vaddr) {
        if (pa >= 0 && pa < phys.byteSize()) return pa;
        faultSide = side;
        faultAddress = vaddr;
        onDevice = pa >= 0;
        return -1;
    }

    /** Bytes from {@code vaddr} to the end of its page. */
    static long toPageEnd(long vaddr) { return PhysicalMemory.PAGE_SIZE - (vaddr & (PhysicalMemory.PAGE_SIZE - 1)); }

    static boolean inUserArea(long vaddr) { return vaddr >= 0 && vaddr < PageTable.VA_LIMIT; }

    /** Moves one physical run, reporting it to the cost model if there is one. */
    final void move(long srcPa, long dstPa, long len, int srcHint, int dstHint) {
        if (len <= 0) return;
        MemorySegment.copy(phys, srcPa, phys, dstPa, len);
        CostModel c = cpu.costs();
        if (c != null) {
            c.read(srcPa, len, srcHint);
            c.write(dstPa, len, dstHint);
        }
    }
}
