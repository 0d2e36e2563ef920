package ristretto.kernel.mem;

import ristretto.abi.ThreadId;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.ThreadState;
import ristretto.machine.PageTable;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * Faults raised by user code: failed translations and misaligned accesses. Sigma0's space is
 * physical memory, so its faults are resolved 1:1 by the kernel (§13.1). Any other fault stops
 * the thread with a clear report until page-fault and exception IPC arrive (memory issue); it
 * retries the access if resumed, like a restarted instruction.
 */
public final class Faults {
    private Faults() {}

    /**
     * A user access of {@code bytes} bytes at {@code vaddr} (1, 2, 4 or 8, naturally aligned; 1 for
     * each page's piece of a bulk copy, which needs no alignment) failed to translate or is
     * misaligned: resolves it or stops the thread, and answers the physical address once it translates.
     */
    public static long userAccess(Tcb t, Processor p, long vaddr, long access, int bytes) {
        while (true) {
            if ((vaddr & (bytes - 1)) != 0) {
                stopSelf(t, p, "misaligned " + accessName(access) + " at 0x" + Long.toHexString(vaddr));
                continue;
            }
            long pa = p.machineCpu.translate(vaddr, access);
            if (pa >= 0) return pa;
            // sigma0's space is physical memory 1:1, but never the kernel's own (KIP, code image, UTCBs).
            if (t.space.physical && t.kernel.memory.contains(vaddr, bytes) && vaddr + bytes <= t.kernel.kernelMemoryBase) {
                long page = vaddr & ~(PhysicalMemory.PAGE_SIZE - 1);
                t.space.pageTable.set(Tcb.pageOf(vaddr), Pte.make(page, Pte.RWX));
                p.machineCpu.tlb().flushPage(t.space.id, Tcb.pageOf(vaddr));
                continue;
            }
            long pte = vaddr >= 0 && vaddr < PageTable.VA_LIMIT ? t.space.pageTable.lookup(Tcb.pageOf(vaddr)) : 0;
            stopSelf(t, p, Pte.valid(pte)
                    ? "protection fault: " + accessName(access) + " at 0x" + Long.toHexString(vaddr)
                            + ", which is mapped " + rightsName(Pte.rights(pte))
                    : "page fault: " + accessName(access) + " at 0x" + Long.toHexString(vaddr)
                            + " is not mapped (pager IPC arrives with the memory issue)");
        }
    }

    /** Stops the calling thread (HALTED) with a report; returns only if it is resumed. */
    public static void stopSelf(Tcb t, Processor p, String reason) {
        t.stopReason = reason;
        t.kernel.report("thread " + ThreadId.toString(t.globalId) + " stopped: " + reason);
        t.kernel.trace(Trace.STOP, t, null);
        t.state = ThreadState.HALTED;
        p.scheduler.block(t);
        if (t.pendingWork != 0) p.handlePending(t);
    }

    /** Rights as {@code r-x}. */
    static String rightsName(long rights) {
        return ((rights & Pte.R) != 0 ? "r" : "-") + ((rights & Pte.W) != 0 ? "w" : "-") + ((rights & Pte.X) != 0 ? "x" : "-");
    }

    static String accessName(long access) {
        return (access & Pte.W) != 0 ? "write" : (access & Pte.X) != 0 ? "execute" : "read";
    }
}
