package ristretto.kernel.syscall;

import ristretto.abi.ErrorCode;
import ristretto.abi.Fpage;
import ristretto.abi.Kip;
import ristretto.abi.ThreadId;
import ristretto.abi.UserCpu;
import ristretto.kernel.Boot;
import ristretto.kernel.Kernel;
import ristretto.kernel.mem.CodeImage;
import ristretto.kernel.mem.Space;
import ristretto.kernel.mem.Spaces;
import ristretto.kernel.thread.Tcb;

/**
 * SpaceControl(SpaceSpecifier, control, KipArea, UtcbArea, Redirector) (§11.2): initialises a
 * space's KIP and UTCB areas (once) and sets its redirector. Privileged.
 *
 * <p>Redirector: nilthread leaves it unchanged, anythread removes it, any other valid thread
 * becomes the space's redirector (X.2 §8.6; Pistachio ignores the argument). No control bits
 * are defined on this machine; control' is 0.
 */
final class SpaceControl {
    private SpaceControl() {}

    static long invoke(Tcb self, long spaceSpec, long control, long kipArea, long utcbArea, long redirector) {
        Kernel k = self.kernel;
        self.regs[UserCpu.R_CONTROL] = 0;
        // ---- validate
        if (!self.space.privileged) return fail(self, ErrorCode.NO_PRIVILEGE);
        Tcb t = ThreadId.isGlobal(spaceSpec) ? k.threads.lookupGlobal(spaceSpec) : null;
        if (t == null) return fail(self, ErrorCode.INVALID_SPACE);
        Space s = t.space;
        if (!s.initialized()) {
            long minUtcb = 1L << Kip.utcbMinAreaLog2(Boot.UTCB_AREA_INFO);
            long ub = Fpage.address(utcbArea);
            int us = Fpage.log2Size(utcbArea);
            if (Fpage.isNil(utcbArea) || us < 10 || (1L << us) < minUtcb || !Spaces.inUserArea(utcbArea)
                    || CodeImage.overlaps(ub, 1L << us))
                return fail(self, ErrorCode.UTCB_AREA);
            long kb = Fpage.address(kipArea);
            int ks = Fpage.log2Size(kipArea);
            if (Fpage.isNil(kipArea) || ks < Kip.LOG2_SIZE || !Spaces.inUserArea(kipArea)
                    || CodeImage.overlaps(kb, 1L << ks) || (kb < ub + (1L << us) && ub < kb + (1L << ks)))
                return fail(self, ErrorCode.KIP_AREA);
        }
        Tcb r = null;
        if (redirector != ThreadId.NIL && redirector != ThreadId.ANY) {
            r = k.threads.lookup(redirector, self);
            if (r == null) return fail(self, ErrorCode.INVALID_THREAD);
        }
        // ---- perform
        if (!s.initialized()) {
            s.kipArea = Fpage.log2(Fpage.address(kipArea), Fpage.log2Size(kipArea));
            s.utcbArea = Fpage.log2(Fpage.address(utcbArea), Fpage.log2Size(utcbArea));
            k.spaces.mapKernelAreas(s);
        }
        if (redirector == ThreadId.ANY) s.redirector = ThreadId.NIL;
        else if (r != null) s.redirector = r.globalId;
        return 1;
    }

    private static long fail(Tcb self, int error) { return Errors.fail(self, error, 0); }
}
