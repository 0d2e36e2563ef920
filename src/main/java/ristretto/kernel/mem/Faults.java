package ristretto.kernel.mem;

import ristretto.abi.ExceptionMessage;
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
 * Faults raised by user code: failed translations, misaligned accesses and exceptions. A
 * translation that misses or lacks rights — an execute without X included — becomes a
 * page-fault IPC to the thread's pager (§13.1, {@link KernelMessage#pageFault}), after which the
 * access is retried — transparently if the pager mapped the page, with another fault if not.
 * Sigma0's space is physical memory: its faults are resolved by the kernel, which makes the
 * frame's root in the mapping database and maps it 1:1. A misaligned access, an explicit trap
 * and a Java exception escaping user code become exception IPC to the thread's exception handler
 * ({@link #exception}, §13.2). A thread with no pager or handler, or whose pager or handler does
 * not exist, stops with a report. A thread stopped in a page fault or a misaligned access retries
 * the access if resumed, like a restarted instruction.
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
                // The access can be neither completed nor retried: a resumed thread starts afresh at the reply's IP.
                long kind = ExceptionMessage.MISALIGNED | (access & 7) << 8 | (long) bytes << 16;
                if (exception(t, p, kind, vaddr, "misaligned " + accessName(access) + " at 0x" + Long.toHexString(vaddr)) != STOPPED)
                    restart(t, p);
                continue;
            }
            long pa = p.machineCpu.translate(vaddr, access);
            if (pa >= 0) return pa;
            if (t.space.physical) {
                // sigma0's space is physical memory 1:1 (RAM and device memory), but never the kernel's own (KIP, code image, UTCBs).
                if (vaddr >= 0 && vaddr < PageTable.VA_LIMIT && t.kernel.spaces.source(t.space, Tcb.pageOf(vaddr)) != null
                        && p.machineCpu.translate(vaddr, access) >= 0) continue;
                stopSelf(t, p, describe(t, vaddr, access) + " in sigma0's space, which holds physical memory below 0x"
                        + Long.toHexString(t.kernel.kernelMemoryBase) + " and device memory only");
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

    /** What {@link #exception} answers: the thread was stopped (and resumed since), or resumed at its old IP or a new one. */
    public static final int STOPPED = 0, RESUMED_HERE = 1, RESUMED_ELSEWHERE = 2;

    /**
     * §13.2: the calling thread {@code t} raised an exception of {@code kind} (MR3 of {@link
     * ExceptionMessage}) with {@code detail}, {@code fault} in words. It sends its exception
     * handler the exception message and waits for the reply. A reply that resumes it sets its IP
     * and SP from MR1 and MR2: answers {@link #RESUMED_HERE} if the IP is its old one, else
     * {@link #RESUMED_ELSEWHERE}; what that means is the caller's (go on, or start afresh at the
     * IP: {@link #restart}). With no handler, a handler that does not exist, a failed IPC or a
     * reply that does not resume it, the thread stops with a report naming it, its entry point,
     * the fault and the handler; answers {@link #STOPPED} if it is resumed.
     */
    public static int exception(Tcb t, Processor p, long kind, long detail, String fault) {
        long handler = t.word(Utcb.EXCEPTION_HANDLER);
        if (handler == ThreadId.NIL) {
            stop(t, p, fault + ", and the thread has no exception handler", true);
            return STOPPED;
        }
        long oldIp = t.ip;
        long[] reply = new long[3];
        long failed = KernelMessage.exception(t, p, handler, kind, detail, reply);
        String h = ThreadId.toString(handler);
        if (failed == 0 && ExceptionMessage.resumes(reply[0])) {
            t.ip = reply[1];
            t.sp = reply[2];
            return reply[1] == oldIp ? RESUMED_HERE : RESUMED_ELSEWHERE;
        }
        stop(t, p, fault + (failed == 0 ? ", and its exception handler " + h + " did not resume it"
                : KernelMessage.inSendPhase(failed) && KernelMessage.error(failed) == IpcError.NO_PARTNER
                ? ", and its exception handler " + h + " does not exist"
                : ", and the exception IPC to its handler " + h + " failed: " + IpcError.name(KernelMessage.error(failed))), true);
        return STOPPED;
    }

    /** The calling thread {@code t} abandons its stack and starts afresh at its IP (as ExchangeRegisters' new IP); does not return. */
    public static void restart(Tcb t, Processor p) {
        t.pendingWork |= Tcb.PENDING_RESTART;
        p.handlePending(t);
    }

    /** {@code thread X (entry E)}: the thread and the entry point at its IP, for reports. */
    public static String named(Tcb t) {
        String entry = t.kernel.code.nameAt(t.ip);
        return "thread " + ThreadId.toString(t.globalId) + (entry != null ? " (entry " + entry + ")" : "");
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
    public static void stopSelf(Tcb t, Processor p, String reason) { stop(t, p, reason, false); }

    /** {@link #stopSelf}, the report naming the thread's entry point if {@code withEntry}. */
    private static void stop(Tcb t, Processor p, String reason, boolean withEntry) {
        t.stopReason = reason;
        t.kernel.report((withEntry ? named(t) : "thread " + ThreadId.toString(t.globalId)) + " stopped: " + reason);
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
