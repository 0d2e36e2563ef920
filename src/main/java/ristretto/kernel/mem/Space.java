package ristretto.kernel.mem;

import java.util.HashMap;
import java.util.Map;
import ristretto.abi.Fpage;
import ristretto.kernel.load.SpaceLoader;
import ristretto.kernel.thread.Tcb;
import ristretto.machine.PageTable;
import ristretto.machine.PhysicalMemory;

/**
 * An address space: its page table, KIP and UTCB areas (fixed by SpaceControl), redirector,
 * the threads that live in it and which of them owns each UTCB location. Destroyed with its
 * last thread.
 *
 * <p>UTCB ownership is kernel state: it is recorded here when a thread is activated and never
 * read back from a UTCB word, which the user can overwrite. The kernel frames that back UTCBs
 * are listed too, so destroying a space costs time proportional to what was actually backed,
 * not to the size of its UTCB area (which X.2 lets the root task choose freely).
 */
public final class Space {
    public final int id;
    public final PageTable pageTable = new PageTable();
    /** KIP area fpage and UTCB area fpage; 0 until SpaceControl initialises the space. */
    public long kipArea, utcbArea;
    /** X.2 redirector (global thread ID) or NIL; IPC leaving the space goes there instead. */
    public long redirector;
    public boolean privileged;
    /** True for sigma0's space: its faults are resolved 1:1 by the kernel. */
    public boolean physical;
    public int threads;
    /**
     * The class loader of the programs this space runs: their classes and statics are the space's
     * own. Null until a program image starts here ({@link Spaces#loaderOf}) or, for the root task
     * of {@code run}, set at boot.
     */
    public SpaceLoader loader;
    /** The space's mappings in the {@link MappingDb}, by virtual page number. */
    final LongMap<MappingNode> mappings = new LongMap<>();
    private final Map<Long, Tcb> utcbOwners = new HashMap<>();
    /** Virtual page numbers of UTCB pages backed by kernel frames. */
    private long[] utcbPages = new long[4];
    private int utcbPageCount;

    public Space(int id) { this.id = id; }

    public boolean initialized() { return kipArea != 0; }

    public long kipBase() { return Fpage.address(kipArea); }

    public long utcbBase() { return Fpage.address(utcbArea); }

    public long utcbSize() { return 1L << Fpage.log2Size(utcbArea); }

    /** The mapping-database node of virtual page {@code vpn}, or null if none is mapped there. */
    public MappingNode mapping(long vpn) { return mappings.get(vpn); }

    /**
     * Whether virtual page {@code vpn} lies in the KIP area, the UTCB area or the code image:
     * kernel-provided pages that Unmap never touches (X.2 §11.6).
     */
    public boolean inKernelArea(long vpn) {
        long a = vpn << PhysicalMemory.PAGE_BITS;
        return within(a, kipArea) || within(a, utcbArea) || CodeImage.overlaps(a, PhysicalMemory.PAGE_SIZE);
    }

    private static boolean within(long addr, long area) {
        if (area == 0) return false;
        long b = Fpage.address(area);
        return addr >= b && addr - b < (1L << Fpage.log2Size(area));
    }

    /** How many pages the mapping database has mapped into the space. */
    public int mappingCount() { return mappings.size(); }

    /** The activated thread whose UTCB is at {@code location}, or null. */
    public Tcb utcbOwner(long location) { return utcbOwners.get(location); }

    public void setUtcbOwner(long location, Tcb t) { utcbOwners.put(location, t); }

    public void clearUtcbOwner(long location, Tcb t) { utcbOwners.remove(location, t); }

    public void addUtcbPage(long vpn) {
        if (utcbPageCount == utcbPages.length) utcbPages = java.util.Arrays.copyOf(utcbPages, utcbPageCount * 2);
        utcbPages[utcbPageCount++] = vpn;
    }

    public int utcbPageCount() { return utcbPageCount; }

    public long utcbPage(int i) { return utcbPages[i]; }

    @Override public String toString() { return "space" + id; }
}
