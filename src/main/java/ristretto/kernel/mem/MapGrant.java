package ristretto.kernel.mem;

import ristretto.abi.Fpage;
import ristretto.machine.PageTable;
import ristretto.machine.PhysicalMemory;

/**
 * One map or grant item of an IPC (§4.2, §4.5), performed in the mapping database: the part of
 * the sender's fpage that the receiver's window takes is mapped (or granted) page by page.
 *
 * <p>Placement, with S the send fpage's log2 size, R the window's and b the send base: if
 * S ≤ R the whole fpage lands at the window's address plus {@code b mod 2^R} rounded down to
 * 2^S; if S > R the 2^R-sized chunk of the fpage that {@code b} selects fills the window. The
 * complete address space, as fpage or window, has the size of the user area (2^48).
 *
 * <p>What is skipped silently, as X.2 says: a nil send fpage; sizes below a page (2^10 and 2^11,
 * which this machine's pages cannot express, and the meaningless 2–9); pages the sender has no
 * mapping for; destination pages outside the user area or in the receiver's KIP area, UTCB area
 * or code image. Rights are those of the item and the sender's mapping both (a mapper never
 * extends its own), so a page whose intersection is empty is not mapped. Each page is one
 * database operation, complete before the next begins: a run stopped midway (an overmapping the
 * database refuses) leaves only whole mappings the database knows.
 *
 * <p>Grant moves each page's mapping, with what derives from it, to the receiver. A granted
 * fpage larger than the window loses its whole extent from the sender, also the part that did
 * not fit (Pistachio; X.2 leaves it open). Sigma0 grants its roots as mappings: it keeps owning
 * physical memory.
 */
public final class MapGrant {
    private MapGrant() {}

    /** Map item word 0: type 100b in bits 1-3; grant item: 101b (§4.2). */
    public static final int TYPE_MAP = 4, TYPE_GRANT = 5;

    /** The type field (bits 1-3) of a typed item's first word. */
    public static int type(long word0) { return (int) (word0 >>> 1) & 7; }

    /**
     * Maps or grants {@code sendFpage} of {@code from} into {@code to}'s receive {@code window}
     * (not nil) at the place {@code sendBase} selects. Never fails: what cannot be mapped is skipped.
     */
    public static void item(Spaces spaces, MappingDb db, Space from, Space to, long sendBase, long sendFpage,
                            long window, boolean grant) {
        int s = sizeBits(sendFpage), r = sizeBits(window);
        if (s < PhysicalMemory.PAGE_BITS || r < PhysicalMemory.PAGE_BITS) return;
        long src = base(sendFpage), dst = base(window);
        long size;
        if (s <= r) {
            dst += sendBase & mask(r) & ~mask(s);
            size = 1L << s;
        } else {
            src += sendBase & mask(s) & ~mask(r);
            size = 1L << r;
        }
        long srcFirst = src >>> PhysicalMemory.PAGE_BITS, dstFirst = dst >>> PhysicalMemory.PAGE_BITS;
        long pages = Math.min(size, PageTable.VA_LIMIT - Math.max(src, dst)) >>> PhysicalMemory.PAGE_BITS;
        int rights = Fpage.rights(sendFpage);
        if (pages > 0 && rights != 0) {
            PageVisitor visit = vpn -> {
                MappingNode n = spaces.source(from, vpn);
                long target = vpn - srcFirst + dstFirst;
                if (n == null || to.inKernelArea(target)) return;
                if (grant) db.grant(n, to, target, rights);
                else db.map(n, to, target, rights);
            };
            if (from.physical) {
                spaces.forEachPhysical(srcFirst, srcFirst + pages, visit::page);
            } else {
                FpagePages.forEachMapped(from, srcFirst, srcFirst + pages, visit::page);
            }
        }
        if (grant && s > r && !from.physical) {
            long first = base(sendFpage) >>> PhysicalMemory.PAGE_BITS;
            long end = Math.min(base(sendFpage) + (1L << Math.min(s, PageTable.VA_BITS)), PageTable.VA_LIMIT) >>> PhysicalMemory.PAGE_BITS;
            FpagePages.forEachMapped(from, first, end, vpn -> {
                MappingNode n = from.mapping(vpn);
                if (n != null && !from.inKernelArea(vpn)) db.unmap(n, MappingDb.RWX, true);
            });
        }
    }

    private interface PageVisitor { void page(long vpn); }

    /** log2 of the size an fpage covers: the user area for the complete space, 0 for nil and malformed ones. */
    static int sizeBits(long fpage) {
        if (Fpage.isComplete(fpage)) return PageTable.VA_BITS;
        int s = Fpage.log2Size(fpage);
        return s < FpagePages.MIN_LOG2 ? 0 : Math.min(s, PageTable.VA_BITS);
    }

    /** The fpage's base, aligned to its size; beyond the user area for a base no space has. */
    private static long base(long fpage) {
        if (Fpage.isComplete(fpage)) return 0;
        long a = Fpage.address(fpage);
        return a < 0 || a >= PageTable.VA_LIMIT ? PageTable.VA_LIMIT : a & ~mask(sizeBits(fpage));
    }

    private static long mask(int bits) { return bits >= 64 ? -1L : (1L << bits) - 1; }
}
