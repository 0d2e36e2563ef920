package ristretto.kernel.ipc;

import ristretto.abi.MsgTag;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;

/**
 * Kernel-generated IPC (§13, Pistachio's nested IPC): the kernel makes a thread Call a handler
 * on its behalf — its scheduler for a preemption message today, its pager for a page fault in the
 * memory issue. The thread's own message registers and IPC results are saved around the call and
 * restored afterwards, so the user code it interrupted sees nothing of it.
 */
public final class KernelMessage {
    private KernelMessage() {}

    /**
     * §13.4: the thread's total quantum is used up. It sends its scheduler label −3, u = 2,
     * MR1/MR2 = the low and high 32 bits of the current time (µs), and waits for the reply.
     * X.2 defines this message; Pistachio never sends it.
     */
    public static void preemption(Tcb t, Processor p) {
        long now = p.clock.nowMicros();
        t.kernel.trace(Trace.PREEMPT, t, null);
        call(t, p, t.scheduler, MsgTag.make(MsgTag.LABEL_PREEMPTION, 2, 0), now & 0xFFFF_FFFFL, now >>> 32);
    }

    /** Calls {@code to} with a two-word message on {@code t}'s behalf, saving and restoring its registers. */
    private static void call(Tcb t, Processor p, long to, long tag, long w1, long w2) {
        long mr0 = t.mr(0), mr1 = t.mr(1), mr2 = t.mr(2), error = t.word(Utcb.ERROR_CODE);
        long result = t.ipcResult, partner = t.partner;
        t.setMr(0, tag);
        t.setMr(1, w1);
        t.setMr(2, w2);
        Ipc.ipc(t, p, to, to, Timeout.NEVER_NEVER);
        t.setMr(0, mr0);
        t.setMr(1, mr1);
        t.setMr(2, mr2);
        t.setWord(Utcb.ERROR_CODE, error);
        t.ipcResult = result;
        t.partner = partner;
    }
}
