package ristretto.kernel.ipc;

import ristretto.abi.ExceptionMessage;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.SaveArea;
import ristretto.kernel.thread.Tcb;

/**
 * Kernel-generated IPC (§13, Pistachio's nested IPC): the kernel makes a thread Call a handler
 * on its behalf — its pager for a page fault, its exception handler for an exception, its
 * scheduler for a preemption message. The
 * thread's registers are saved in a {@link SaveArea} of its TCB around the call and restored
 * afterwards, however the call ends, so the user code it interrupted sees nothing of it; the
 * call itself is an ordinary IPC, which timeouts, cancel, abort and deletion end like any other.
 */
public final class KernelMessage {
    private KernelMessage() {}

    /**
     * §13.1: {@code t}'s access of kind {@code access} (rwx) at {@code vaddr} missed or lacked
     * rights. It Calls its pager with label −2 | rwx, u = 2, MR1 the fault address, MR2 the IP,
     * accepting mappings anywhere in its space (BR0 = the complete address space), and waits
     * for the reply. Answers 0 when a reply arrived (whatever it mapped), else the IPC's ErrorCode.
     */
    public static long pageFault(Tcb t, Processor p, long pager, long vaddr, long access, long ip) {
        t.kernel.trace(Trace.PAGE_FAULT, t, null);
        return call(t, p, pager, MsgTag.make(MsgTag.LABEL_PAGEFAULT | (access & 7), 2, 0), vaddr, ip, 0, 0, 0,
                SaveArea.PAGE_FAULT, vaddr, access, Fpage.COMPLETE, null);
    }

    /**
     * §13.2: {@code t} raised an exception. It Calls {@code handler} with the architecture's
     * exception message ({@link ExceptionMessage}: label −5, u = 5, MR1 IP, MR2 SP, MR3 {@code
     * kind}, MR4 {@code detail}, MR5 flags), accepting no mappings, and waits for the reply.
     * Answers 0 when a reply arrived, its MR0–MR2 in {@code reply}, else the IPC's ErrorCode.
     */
    public static long exception(Tcb t, Processor p, long handler, long kind, long detail, long[] reply) {
        t.kernel.trace(Trace.EXCEPTION, t, null);
        return call(t, p, handler, MsgTag.make(MsgTag.LABEL_ARCH_EXCEPTION, ExceptionMessage.WORDS, 0), t.ip, t.sp, kind, detail,
                t.flags, SaveArea.EXCEPTION, detail, 0, Fpage.NIL, reply);
    }

    /**
     * §13.4: the thread's total quantum is used up. It sends its scheduler label −3, u = 2,
     * MR1/MR2 = the low and high 32 bits of the current time (µs), and waits for the reply.
     * X.2 defines this message; Pistachio never sends it.
     */
    public static void preemption(Tcb t, Processor p) {
        long now = p.clock.nowMicros();
        t.kernel.trace(Trace.PREEMPT, t, null);
        call(t, p, t.scheduler, MsgTag.make(MsgTag.LABEL_PREEMPTION, 2, 0), now & 0xFFFF_FFFFL, now >>> 32, 0, 0, 0,
                SaveArea.PREEMPTION, 0, 0, 0, null);
    }

    /**
     * Calls {@code to} with the message {@code tag} (u words of w1..w5) on {@code t}'s behalf, with
     * {@code acceptor} as its BR0, saving and restoring its registers. Answers 0 if a reply
     * arrived (its MR0–MR2 copied to {@code reply} if that is not null), else the ErrorCode.
     */
    private static long call(Tcb t, Processor p, long to, long tag, long w1, long w2, long w3, long w4, long w5,
                             int kind, long address, long access, long acceptor, long[] reply) {
        SaveArea save = t.spareSave;
        if (save != null) t.spareSave = null;
        else save = new SaveArea();
        save.save(t, kind, address, access);
        t.setMr(0, tag);
        t.setMr(1, w1);
        t.setMr(2, w2);
        if (MsgTag.u(tag) > 2) {
            t.setMr(3, w3);
            t.setMr(4, w4);
            t.setMr(5, w5);
        }
        t.setWord(Utcb.br(0), acceptor);
        Ipc.ipc(t, p, to, to, Timeout.NEVER_NEVER);
        long error = MsgTag.isError(t.mr(0)) ? t.word(Utcb.ERROR_CODE) | ERROR_SEEN : 0;
        if (reply != null && error == 0) for (int i = 0; i < 3; i++) reply[i] = t.mr(i);
        save.restore(t);
        t.spareSave = save;
        return error;
    }

    /** Set in an answered ErrorCode so that no error word is 0 (a send-phase error with no offset can be). */
    private static final long ERROR_SEEN = 1L << 63;

    /** The X.2 error number of what {@link #pageFault} or {@link #exception} answered. */
    public static int error(long answered) { return IpcError.error(answered & ~ERROR_SEEN); }

    /** Whether what {@link #pageFault} or {@link #exception} answered is an error of the send phase (the handler was never reached). */
    public static boolean inSendPhase(long answered) {
        return answered != 0 && IpcError.phase(answered & ~ERROR_SEEN) == IpcError.PHASE_SEND;
    }
}
