package ristretto.kernel.thread;

import java.lang.foreign.MemorySegment;
import ristretto.abi.Utcb;

/**
 * What a kernel-generated IPC saves of the thread it is made for (§9.6): a page-fault,
 * exception or preemption message is a Call the kernel makes on the thread's behalf, and when
 * it ends — replied, cancelled, aborted — the thread's virtual registers are as they were. Saved:
 * all 64 MRs (a pager's reply may be long; X.2 saves MR0–MR2 and Pistachio's x86 exception path
 * twelve more, so a user thread's MRs survive any fault) — MR0–MR5, which the kernel's own
 * messages write, at once, the others only when a reply is about to overwrite them
 * ({@link #keep}, called by the transfer), so a fault answered by one map item copies six
 * words each way, not 64 — BR0 (the kernel sets the acceptor of
 * the call), ErrorCode, VirtualSender/ActualSender and IntendedReceiver (a delivery writes them),
 * and the kernel's record of the interrupted IPC's results.
 *
 * <p>Save areas nest through {@link #outer}: a preemption message can be due while a thread waits
 * for its pager. The innermost is {@link Tcb#nested}; a thread with none is not in a
 * kernel-generated IPC. {@link #kind} and {@link #address} say what the call is for (for
 * reports and the console).
 */
public final class SaveArea {
    public static final int PAGE_FAULT = 1, EXCEPTION = 2, PREEMPTION = 3;

    final long[] mrs = new long[Utcb.MR_COUNT];
    /** MRs 0 .. kept − 1 are saved in {@link #mrs}. */
    private int kept;
    /** The MRs a kernel-generated message writes itself (tag and up to five words): saved at once. */
    static final int EAGER = 6;
    long br0, errorCode, virtualSender, intendedReceiver, ipcResult, partner;
    public int kind;
    /** The fault address and the access (rwx) of a page fault; 0 otherwise. */
    public long address, access;
    public SaveArea outer;

    /** Saves {@code t}'s registers and makes this its innermost save area. */
    public void save(Tcb t, int kind, long address, long access) {
        MemorySegment.copy(t.utcb, Tcb.WORD, Utcb.mr(0), mrs, 0, EAGER);
        kept = EAGER;
        br0 = t.word(Utcb.br(0));
        errorCode = t.word(Utcb.ERROR_CODE);
        virtualSender = t.word(Utcb.VIRTUAL_SENDER);
        intendedReceiver = t.word(Utcb.INTENDED_RECEIVER);
        ipcResult = t.ipcResult;
        partner = t.partner;
        this.kind = kind;
        this.address = address;
        this.access = access;
        outer = t.nested;
        t.nested = this;
    }

    /** A message is about to be written into {@code t}'s MR0..MR{@code last}: saves those not saved yet. */
    public void keep(Tcb t, int last) {
        if (last < kept) return;
        int n = Math.min(last + 1, Utcb.MR_COUNT) - kept;
        MemorySegment.copy(t.utcb, Tcb.WORD, Utcb.mr(kept), mrs, kept, n);
        kept += n;
    }

    /** Puts back what {@link #save} saved and pops this save area. */
    public void restore(Tcb t) {
        MemorySegment.copy(mrs, 0, t.utcb, Tcb.WORD, Utcb.mr(0), kept);
        t.setWord(Utcb.br(0), br0);
        t.setWord(Utcb.ERROR_CODE, errorCode);
        t.setWord(Utcb.VIRTUAL_SENDER, virtualSender);
        t.setWord(Utcb.INTENDED_RECEIVER, intendedReceiver);
        t.ipcResult = ipcResult;
        t.partner = partner;
        t.nested = outer;
        outer = null;
    }
}
