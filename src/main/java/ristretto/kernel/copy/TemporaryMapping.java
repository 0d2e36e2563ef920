package ristretto.kernel.copy;

import java.lang.foreign.MemorySegment;
import ristretto.machine.Cpu;
import ristretto.machine.PageTable;
import ristretto.machine.Pte;

/**
 * Temporary mapping (seed 001): the receiver's buffer is reached through the CPU's kernel window,
 * which shows the receiver's page-table leaves (the seed's two page-directory entries), so each
 * byte is copied once, straight from the sender's page to the receiver's. The window is pointed
 * at the part of the receiver's space the copy needs ({@link Cpu#translateWindow}) and closed at
 * every thread switch, so each receiver page costs a TLB miss per IPC: the seed's "n / words per
 * page" overhead.
 */
final class TemporaryMapping extends StringCopy {
    TemporaryMapping(Cpu cpu, MemorySegment phys) { super(cpu, phys); }

    @Override public long copy(PageTable from, int fromAsid, PageTable to, int toAsid, long src, long dst, long len,
                               int srcHint, int dstHint) {
        long want = Math.min(len, CHUNK), done = 0;
        long runSrc = 0, runDst = 0, runLen = 0;
        while (done < want) {
            long s = src + done, d = dst + done;
            long sPa = sourcePage(from, fromAsid, s);
            if (sPa < 0) break;
            long dPa = checked(cpu.translateWindow(to, d, Pte.W), RECEIVER, d);
            if (dPa < 0) break;
            long n = Math.min(want - done, Math.min(toPageEnd(s), toPageEnd(d)));
            if (runLen > 0 && sPa == runSrc + runLen && dPa == runDst + runLen) runLen += n;
            else {
                move(runSrc, runDst, runLen, srcHint, dstHint);
                runSrc = sPa;
                runDst = dPa;
                runLen = n;
            }
            done += n;
        }
        move(runSrc, runDst, runLen, srcHint, dstHint);
        return done;
    }
}
