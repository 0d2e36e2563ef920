package ristretto.kernel.copy;

import java.lang.foreign.MemorySegment;
import ristretto.machine.Cpu;
import ristretto.machine.PageTable;
import ristretto.machine.Pte;

/**
 * Copy in / copy out (seed 000): a chunk of the sender's string is copied into the CPU's kernel
 * buffer, then out of it into the receiver's buffer, reached through the receiver's own page
 * table and TLB tag (its context) — every byte is read and written twice. The buffer holds data
 * only within one call, which never blocks: after a fault the next call copies in again, since
 * another transfer on this CPU may have used the buffer meanwhile.
 */
final class CopyInOut extends StringCopy {
    private final long buffer;

    CopyInOut(Cpu cpu, MemorySegment phys, long bufferPhys) {
        super(cpu, phys);
        this.buffer = bufferPhys;
    }

    @Override public long copy(PageTable from, int fromAsid, PageTable to, int toAsid, long src, long dst, long len,
                               int srcHint, int dstHint) {
        long want = Math.min(len, CHUNK);
        // Copy in, in the sender's context.
        long in = 0, runSrc = 0, runAt = 0, runLen = 0;
        while (in < want) {
            long s = src + in;
            long sPa = sourcePage(from, fromAsid, s);
            if (sPa < 0) break;
            long n = Math.min(want - in, toPageEnd(s));
            if (runLen > 0 && sPa == runSrc + runLen) runLen += n;
            else {
                move(runSrc, buffer + runAt, runLen, srcHint, 0);
                runSrc = sPa;
                runAt = in;
                runLen = n;
            }
            in += n;
        }
        move(runSrc, buffer + runAt, runLen, srcHint, 0);
        // Copy out, in the receiver's context.
        long out = 0, runDst = 0;
        runAt = 0;
        runLen = 0;
        while (out < in) {
            long d = dst + out;
            long dPa = checked(inUserArea(d) ? cpu.translateIn(to, toAsid, d, Pte.W) : -1, RECEIVER, d);
            if (dPa < 0) break;
            long n = Math.min(in - out, toPageEnd(d));
            if (runLen > 0 && dPa == runDst + runLen) runLen += n;
            else {
                move(buffer + runAt, runDst, runLen, 0, dstHint);
                runDst = dPa;
                runAt = out;
                runLen = n;
            }
            out += n;
        }
        move(buffer + runAt, runDst, runLen, 0, dstHint);
        return out;
    }
}
