package ristretto.kernel.ipc;

import static ristretto.kernel.thread.ThreadState.*;

import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.Xfer;
import ristretto.kernel.time.Timeouts;

/**
 * Ending a blocked IPC from outside (§9.5): timeouts, cancellation, and a partner that is
 * deleted or changes its version.
 */
public final class Unwind {
    private Unwind() {}

    /**
     * Ends the IPC of a blocked thread with an error (timeout, cancel, partner gone) and makes it
     * RUNNING, writing its results; the caller wakes it. Answers false if the thread was not in
     * IPC. A thread locked in a handshake takes its partner down with it ("aborted", both sides;
     * the partner is woken here). A thread in a string transfer ends the transfer, "aborted" on
     * both sides (§9.5): if it is inside a page-fault IPC for the transfer, that IPC ends first
     * and the unwind repeats on the outer one, as Pistachio's does. Answers then whether it is runnable.
     */
    public static boolean unwind(Tcb t, int error) {
        Xfer x = t.xfer;
        if (x != null && !x.ended) {
            if (t == x.sender ? x.senderNested : x.receiverNested) unwindIpc(t, error);
            StringTransfer.end(x, IpcError.ABORTED, IpcError.ABORTED);
            return t.runnable();
        }
        return unwindIpc(t, error);
    }

    /**
     * A timeout of {@code t} fired: if it is the xfer timeout of the string transfer it sends,
     * that transfer ends with xfer-timeout errors (§6.4) and the answer is true; else false, and
     * the caller unwinds the thread's own IPC timeout.
     */
    public static boolean xferExpired(Tcb t) {
        Xfer x = t.xfer;
        if (x == null || x.sender != t || x.ended || x.deadlineMicros == Long.MAX_VALUE) return false;
        x.deadlineMicros = Long.MAX_VALUE;
        StringTransfer.timedOut(x);
        return true;
    }

    /** {@link #unwind} of the thread's innermost IPC alone. */
    static boolean unwindIpc(Tcb t, int error) {
        if (t.irqLine >= 0) {                       // an interrupt thread whose handler is gone: it never runs
            InterruptIpc.handlerGone(t);
            return false;
        }
        switch (t.state) {
            case POLLING -> {
                SendQueue.dequeue(t.partnerTcb, t);
                Timeouts.cancel(t);
                t.setMr(0, t.mr(0) | MsgTag.FLAG_ERROR);
                t.setWord(Utcb.ERROR_CODE, IpcError.encode(IpcError.PHASE_SEND, error, 0));
            }
            case WAITING_FOREVER, WAITING_TIMEOUT -> {
                Timeouts.cancel(t);
                if (t.awaitingStartup) {
                    // Aborting the activation's fake receive returns the thread to user level:
                    // it starts at whatever IP/SP it has (ExchangeRegisters-based start, §10.3).
                    t.awaitingStartup = false;
                    t.cont = null;
                } else {
                    t.setMr(0, MsgTag.ERROR_TAG);
                    t.setWord(Utcb.ERROR_CODE, IpcError.encode(IpcError.PHASE_RECEIVE, error, 0));
                }
            }
            case LOCKED_RUNNING, LOCKED_WAITING -> {
                Tcb other = t.partnerTcb;
                int mine = t.state == LOCKED_RUNNING ? IpcError.PHASE_SEND : IpcError.PHASE_RECEIVE;
                t.setMr(0, (t.state == LOCKED_RUNNING ? t.mr(0) : 0) | MsgTag.FLAG_ERROR);
                t.setWord(Utcb.ERROR_CODE, IpcError.encode(mine, IpcError.ABORTED, 0));
                if (other != null && other.partnerTcb == t
                        && (other.state == LOCKED_RUNNING || other.state == LOCKED_WAITING)) {
                    other.setMr(0, (other.state == LOCKED_RUNNING ? other.mr(0) : 0) | MsgTag.FLAG_ERROR);
                    other.setWord(Utcb.ERROR_CODE, IpcError.encode(1 - mine, IpcError.ABORTED, 0));
                    other.ipcResult = ThreadId.NIL;
                    other.state = RUNNING;
                    other.partnerTcb = null;
                    other.cpu.scheduler.wake(other);
                }
            }
            default -> { return false; }
        }
        t.ipcResult = ThreadId.NIL;
        t.state = RUNNING;
        t.partnerTcb = null;
        t.kernel.trace(Trace.UNWIND, t, null);
        return true;
    }

    /**
     * The thread {@code t} stops answering to {@code oldId} (deleted, or given a new version):
     * its queued senders and the threads waiting in a closed receive for it wake with
     * "non-existing partner" (§11.1).
     */
    public static void partnerGone(Tcb t, long oldId) {
        while (t.sendHead != null) {
            Tcb s = t.sendHead;
            if (unwind(s, IpcError.NO_PARTNER)) s.cpu.scheduler.wake(s);
        }
        Tcb w;
        while ((w = Waiters.takeFirst(t)) != null) {
            if (isWaiting(w.state) && w.partner == oldId && !w.awaitingStartup && unwind(w, IpcError.NO_PARTNER))
                w.cpu.scheduler.wake(w);
        }
    }
}
