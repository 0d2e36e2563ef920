package ristretto.kernel.mem;

import java.util.function.LongConsumer;
import ristretto.abi.Fpage;
import ristretto.machine.PageTable;
import ristretto.machine.PhysicalMemory;

/**
 * The pages an fpage names (§4.1), as the kernel reads an fpage given to Unmap: never a Java
 * exception, whatever the word.
 *
 * <ul>
 *   <li>The nilpage (size 0) names nothing; so do the meaningless sizes 2–9 and a size-1 fpage
 *       with a non-zero base (only {@code b = 0} is the complete address space).
 *   <li>The complete address space names every user page, 0 to {@link PageTable#VA_LIMIT}.
 *   <li>Sizes 2^10 and 2^11, which X.2 allows but this machine's pages (2^12) cannot express,
 *       are widened to the page that contains them, as Pistachio widens a too-small Unmap fpage.
 *   <li>The base is aligned down to the size (unaligned base bits are ignored); what lies beyond
 *       the user-addressable range is clipped off, so a huge fpage names at most every user page.
 * </ul>
 */
public final class FpagePages {
    private FpagePages() {}

    /** X.2's smallest fpage size (2^10); smaller sizes other than the complete space's are malformed. */
    static final int MIN_LOG2 = 10;

    /** The first user address the fpage names, page-aligned, or -1 if it names none. */
    public static long start(long fpage) {
        if (Fpage.isComplete(fpage)) return 0;
        if (Fpage.log2Size(fpage) < MIN_LOG2) return -1;
        long a = Fpage.address(fpage) & ~(PhysicalMemory.PAGE_SIZE - 1);
        return a < 0 || a >= PageTable.VA_LIMIT ? -1 : a;
    }

    /** The end (exclusive) of what the fpage names; meaningful only if {@link #start} is not -1. */
    public static long end(long fpage) {
        if (Fpage.isComplete(fpage)) return PageTable.VA_LIMIT;
        int s = Math.max(Fpage.log2Size(fpage), PhysicalMemory.PAGE_BITS);
        if (s >= PageTable.VA_BITS) return PageTable.VA_LIMIT;
        return Math.min(start(fpage) + (1L << s), PageTable.VA_LIMIT);
    }

    /**
     * Calls {@code visit} with each virtual page number in the fpage that {@code s} has a
     * database mapping at, in time proportional to the smaller of the fpage's pages and the
     * space's mappings (a complete-space fpage does not walk 2^36 pages), in page order. The
     * visitor may change mappings: the pages are collected before the first visit, and each is
     * looked up afresh by the visitor.
     */
    public static void forEachMapped(Space s, long fpage, LongConsumer visit) {
        long start = start(fpage);
        if (start >= 0) forEachMapped(s, start >>> PhysicalMemory.PAGE_BITS, end(fpage) >>> PhysicalMemory.PAGE_BITS, visit);
    }

    /**
     * As above for the virtual pages {@code first} (inclusive) to {@code end} (exclusive). Every
     * page found is collected before the first visit, so the visitor may remove, move or add
     * mappings anywhere in the space (a grant within one space) without disturbing the walk.
     */
    public static void forEachMapped(Space s, long first, long end, LongConsumer visit) {
        if (end <= first) return;
        long[] found;
        int n = 0;
        if (end - first <= s.mappingCount()) {
            found = new long[(int) (end - first)];
            for (long vpn = first; vpn < end; vpn++) if (s.mapping(vpn) != null) found[n++] = vpn;
        } else {
            long[] all = new long[s.mappingCount()];
            int[] c = {0};
            s.mappings.forEach((vpn, node) -> {
                if (vpn >= first && vpn < end) all[c[0]++] = vpn;
            });
            found = all;
            n = c[0];
            java.util.Arrays.sort(found, 0, n);
        }
        for (int i = 0; i < n; i++) visit.accept(found[i]);
    }
}
