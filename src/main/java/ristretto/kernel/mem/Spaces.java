package ristretto.kernel.mem;

import ristretto.abi.Fpage;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.load.SpaceLoader;
import ristretto.kernel.thread.Tcb;
import ristretto.machine.PageTable;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * The kernel's address-space mechanisms: creating and destroying spaces, the KIP and code image
 * mapped into each, and the UTCB area (where a UTCB may be placed, and the kernel frames that
 * back UTCBs).
 */
public final class Spaces {
    private final Kernel kernel;
    private int nextSpaceId = 1;

    public Spaces(Kernel kernel) { this.kernel = kernel; }

    public Space create() { return new Space(nextSpaceId++); }

    /** Maps the KIP and the code image into a space being initialised (read + execute). */
    public void mapKernelAreas(Space s) {
        s.pageTable.set(Tcb.pageOf(s.kipBase()), Pte.make(kernel.kipFrame, Pte.R | Pte.X));
        kernel.code.mapInto(s);
    }

    /**
     * The mapping of virtual page {@code vpn} of {@code s} that map, grant and faults work from:
     * the space's node there; in sigma0's space, which is physical memory 1:1, the frame's root,
     * made on first use (sigma0 owns all physical memory idempotently; a root appears when the
     * frame is first touched or mapped): RAM below kernel memory and device memory. Null when
     * there is none, and in sigma0's space for memory no space may have: kernel memory, what lies
     * beyond the device slots, and the kernel areas of the space.
     */
    public MappingNode source(Space s, long vpn) {
        MappingNode n = s.mapping(vpn);
        if (n != null || !s.physical) return n;
        long a = vpn << PhysicalMemory.PAGE_BITS;
        if (vpn < 0 || a >= kernel.kernelMemoryBase && !kernel.machine.isDeviceMemory(a) || s.inKernelArea(vpn)) return null;
        return kernel.mappings.root(a, s, vpn, MappingDb.RWX);
    }

    /** Pages of physical memory below kernel memory: the RAM sigma0's space can hold. */
    public long physicalPages() { return kernel.kernelMemoryBase >>> PhysicalMemory.PAGE_BITS; }

    /** Calls {@code page} for each page in [{@code first}, {@code end}) that sigma0's space can hold: RAM below kernel memory, device memory. */
    public void forEachPhysical(long first, long end, java.util.function.LongConsumer page) {
        for (long vpn = first, e = Math.min(end, physicalPages()); vpn < e; vpn++) page.accept(vpn);
        long dFirst = kernel.machine.deviceMemoryBase() >>> PhysicalMemory.PAGE_BITS;
        long dEnd = kernel.machine.deviceMemoryEnd() >>> PhysicalMemory.PAGE_BITS;
        for (long vpn = Math.max(first, dFirst), e = Math.min(end, dEnd); vpn < e; vpn++) page.accept(vpn);
    }

    /** The space's program loader, made from the kernel's {@code Loading} if it has none yet. */
    public SpaceLoader loaderOf(Space s) {
        if (s.loader == null) s.loader = kernel.loading().newLoader(s.id);
        return s.loader;
    }

    /**
     * Removes the space's mappings from the mapping database, with everything derived from them
     * in other spaces (sigma0's roots stay: it owns physical memory for good), frees the kernel
     * frames that backed the space's UTCBs and forgets its translations and its loader (whose
     * classes go when no thread runs their code any more).
     */
    public void destroy(Space s) {
        s.loader = null;
        // Its mappings go with it, and what other spaces derived from them (a flush of each).
        FpagePages.forEachMapped(s, 0, PageTable.VA_LIMIT >>> PhysicalMemory.PAGE_BITS, vpn -> {
            MappingNode n = s.mapping(vpn);
            if (n != null) kernel.mappings.unmap(n, MappingDb.RWX, true);
        });
        for (int i = 0; i < s.utcbPageCount(); i++) {
            long vpn = s.utcbPage(i);
            long pte = s.pageTable.lookup(vpn);
            if (Pte.valid(pte)) kernel.kernelFrames.release(Pte.frame(pte));
            s.pageTable.set(vpn, 0);
        }
        kernel.flushTlbs(s);
    }

    /** Physical address of the word at byte {@code offset} of the UTCB at {@code location}, or -1. */
    public static long utcbWordPhys(Space s, long location, int offset) {
        long addr = location + offset;
        long pte = s.pageTable.lookup(Tcb.pageOf(addr));
        return Pte.valid(pte) ? Pte.frame(pte) + (addr & (PhysicalMemory.PAGE_SIZE - 1)) : -1;
    }

    /** True if a UTCB may be placed at {@code location} in {@code s} (aligned, inside, free). */
    public static boolean validUtcbLocation(Space s, long location, Tcb except) {
        if (!s.initialized() || location == -1 || (location & (Utcb.SIZE - 1)) != 0) return false;
        if (location < s.utcbBase() || location - s.utcbBase() > s.utcbSize() - Utcb.SIZE) return false;
        Tcb owner = s.utcbOwner(location);
        return owner == null || owner == except;
    }

    /** Whether the UTCB page at {@code location} is already backed (no frame needed to activate). */
    public static boolean utcbPageBacked(Space s, long location) { return utcbWordPhys(s, location, 0) >= 0; }

    /**
     * Backs the UTCB page at {@code location} with a zeroed kernel frame if it is not backed yet;
     * answers the physical address of the UTCB, or -1 when kernel memory is exhausted.
     */
    public long backUtcb(Space s, long location) {
        long vpn = Tcb.pageOf(location);
        long pte = s.pageTable.lookup(vpn);
        if (!Pte.valid(pte)) {
            long frame = kernel.kernelFrames.allocate();
            if (frame < 0) return -1;
            pte = Pte.make(frame, Pte.R | Pte.W);
            s.pageTable.set(vpn, pte);
            s.addUtcbPage(vpn);
        }
        return Pte.frame(pte) + (location & (PhysicalMemory.PAGE_SIZE - 1));
    }

    /** An fpage lies wholly inside the user-addressable part of a space. */
    public static boolean inUserArea(long fpage) {
        long base = Fpage.address(fpage);
        int s = Fpage.log2Size(fpage);
        return s < 48 && base >= 0 && base + (1L << s) <= PageTable.VA_LIMIT;
    }
}
