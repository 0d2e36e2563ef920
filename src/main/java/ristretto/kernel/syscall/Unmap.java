package ristretto.kernel.syscall;

import ristretto.abi.Fpage;
import ristretto.kernel.mem.FpagePages;
import ristretto.kernel.mem.MappingDb;
import ristretto.kernel.mem.MappingNode;
import ristretto.kernel.mem.Space;
import ristretto.kernel.thread.Tcb;

/**
 * Unmap(control) (§11.6): for each of the fpages in MR0..MRk ({@code k} = control bits 0-5),
 * revokes the fpage's rwx rights from every mapping derived from the caller's mappings of its
 * pages, and from the caller's own mappings too if the flush bit {@code f} (bit 6) is set; a
 * mapping left without rights is removed with its subtree. rwx = 0 revokes nothing and only
 * reads the status bits. Higher control bits are ignored. Not privileged; no error code.
 *
 * <p>Result: each MRi becomes its fpage with the rwx bits replaced by the status bits —
 * referenced (r), written (w), executed (x) — accumulated since the last read over the caller's
 * own mappings of the fpage's pages and everything derived from them, with or without flush
 * (X.2's "invoker's space and all derived"; Pistachio leaves the caller's own bits out without
 * flush). The bits are reset by the read. Rights are not reported.
 *
 * <p>Which pages: those of the fpage as {@link FpagePages} reads it (nil and malformed fpages name
 * none; 2^10 and 2^11 are widened to the page), skipping pages the caller has no mapping for and
 * the KIP area, UTCB area and code image, which the kernel provides and nobody unmaps. A flush
 * of a page the caller owns as a root (sigma0's memory) revokes only what derives from it.
 */
final class Unmap {
    private Unmap() {}

    /** Answers 0: X.2's Unmap has no result besides the MRs. */
    static long invoke(Tcb self, long control) {
        int k = (int) (control & Fpage.UNMAP_MAX_K);
        boolean flush = (control & Fpage.UNMAP_FLUSH) != 0;
        Space space = self.space;
        MappingDb db = self.kernel.mappings;
        for (int i = 0; i <= k; i++) {
            long fpage = self.mr(i);
            int rights = Fpage.rights(fpage);
            int[] status = {0};
            FpagePages.forEachMapped(space, fpage, vpn -> {
                MappingNode n = space.mapping(vpn);
                if (n != null && !space.inKernelArea(vpn)) status[0] |= db.unmap(n, rights, flush);
            });
            self.setMr(i, (fpage & ~(long) Fpage.RWX) | status[0]);
        }
        return 0;
    }
}
