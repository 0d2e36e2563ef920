package ristretto.kernel.mem;

import ristretto.abi.IpcError;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.ipc.KernelMessage;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.SaveArea;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.ThreadState;
import ristretto.machine.PageTable;
import ristretto.machine.Pte;

/**
 * Faults raised by user code: failed translations and misaligned accesses. A translation that
 * misses or lacks rights becomes a page-fault IPC to the thread's pager (§13.1, {@link
 * KernelMessage#pageFault}), after which the access is retried — transparently if the pager
 * mapped the page, with another fault if not. Sigma0's space is physical memory: its faults are
 * resolved by the kernel, which makes the frame's root in the mapping database and maps it 1:1.
 * A thread with no pager, or whose pager does not exist, stops with a report; so does a
 * misaligned access until exception IPC arrives. A stopped thread retries the access if resumed,
 * like a restarted instruction.
 */
public final class Faults {
    private Faults() {}

    /**
     * A user access of {@code bytes} bytes at {@code vaddr} (1, 2, 4 or 8, naturally aligned; 1 for
     * each page's piece of a bulk copy, which needs no alignment) failed to translate or is
     * misaligned: resolves it, and answers the physical address once it translates.
     */
    public static long userAccess(Tcb t, Processor p, long vaddr, long access, int bytes) {
        while (true) {
            if ((vaddr & (bytes - 1)) != 0) {
                stopSelf(t, p, "misaligned " + accessName(access) + " at 0x" + Long.toHexString(vaddr));
                continue;
            }
            long pa = p.machineCpu.translate(vaddr, access);
            if (pa >= 0) return pa;
            if (t.space.physical) {
                // sigma0's space is physical memory 1:1, but never the kernel's own (KIP, code image, UTCBs).
                if (vaddr >= 0 && vaddr < PageTable.VA_LIMIT && t.kernel.spaces.source(t.space, Tcb.pageOf(vaddr)) != null
                        && p.machineCpu.translate(vaddr, access) >= 0) continue;
                stopSelf(t, p, describe(t, vaddr, access) + " in sigma0's space, which holds physical memory below 0x"
                        + Long.toHexString(t.kernel.kernelMemoryBase) + " only");
                continue;
            }
            long pager = t.word(Utcb.PAGER);
            if (pager == ThreadId.NIL) {
                stopSelf(t, p, describe(t, vaddr, access) + ", and the thread has no pager");
                continue;
            }
            long failed = KernelMessage.pageFault(t, p, pager, vaddr, access, t.ip);
            if (KernelMessage.inSendPhase(failed) && KernelMessage.error(failed) == IpcError.NO_PARTNER)
                stopSelf(t, p, describe(t, vaddr, access) + ", and its pager " + ThreadId.toString(pager) + " does not exist");
        }
    }

    /** While {@code t} waits for its pager: its innermost page fault in words, else null. */
    public static String inPageFault(Tcb t) {
        for (SaveArea a = t.nested; a != null; a = a.outer)
            if (a.kind == SaveArea.PAGE_FAULT) return "page fault: " + accessName(a.access) + " at 0x" + Long.toHexString(a.address);
        return null;
    }

    /** The fault in words: a protection fault if the page is mapped without the rights, else a page fault. */
    private static String describe(Tcb t, long vaddr, long access) {
        long pte = vaddr >= 0 && vaddr < PageTable.VA_LIMIT ? t.space.pageTable.lookup(Tcb.pageOf(vaddr)) : 0;
        return Pte.valid(pte)
                ? "protection fault: " + accessName(access) + " at 0x" + Long.toHexString(vaddr) + ", which is mapped " + rightsName(Pte.rights(pte))
                : "page fault: " + accessName(access) + " at 0x" + Long.toHexString(vaddr) + " is not mapped";
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
