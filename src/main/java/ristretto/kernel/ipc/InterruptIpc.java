package ristretto.kernel.ipc;

import static ristretto.kernel.thread.ThreadState.*;

import ristretto.abi.MsgTag;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.time.Timeouts;
import ristretto.machine.InterruptController;

/**
 * Interrupt threads as IPC senders (§13.3, seed 003 "Interrupt IPC"). An interrupt makes its
 * thread send its handler one message — label −1 (the X.2 interrupt tag), no words, From the
 * interrupt thread — at once if the handler waits for it or for anyone, else queued in the
 * handler's send queue like any sender ({@code POLLING}); then it waits for the acknowledgement
 * ({@code WAITING_ACK}), and its line stays masked. Any send of the handler to the interrupt
 * thread acknowledges: the thread is armed again ({@code HALTED}) and the line unmasked, so an
 * interrupt that arrived meanwhile (the controller's pending bit) is delivered at once. An
 * interrupt thread never runs: it has no UTCB and no stack, and nothing wakes it.
 */
public final class InterruptIpc {
    private InterruptIpc() {}

    /** The interrupt message's tag (label −1, u = t = 0). */
    public static final long TAG = MsgTag.make(MsgTag.LABEL_INTERRUPT, 0, 0);

    /**
     * The armed interrupt thread {@code it} fires toward its handler {@code h}: delivered now if
     * {@code h} waits for it (answers true: {@code h} is runnable and was woken), else queued.
     */
    public static boolean fire(Tcb it, Tcb h) {
        it.partner = h.globalId;
        if (Ipc.readyFor(h, it, it.globalId)) {
            Timeouts.cancel(h);
            deliver(it, h);
            h.cpu.scheduler.wake(h);
            return true;
        }
        it.state = POLLING;
        it.partnerTcb = h;
        SendQueue.enqueue(h, it);
        h.kernel.trace(Trace.BLOCK_SEND, it, h);
        return false;
    }

    /** The handler {@code h} takes the message of {@code it}, which was queued in its send queue; {@code h} is RUNNING. */
    static void received(Tcb h, Tcb it) {
        SendQueue.dequeue(h, it);
        it.partnerTcb = null;
        deliver(it, h);
    }

    private static void deliver(Tcb it, Tcb h) {
        h.setMr(0, TAG);
        h.ipcResult = it.globalId;
        h.partner = it.globalId;
        h.state = RUNNING;
        it.state = WAITING_ACK;
        h.kernel.trace(Trace.DELIVER, it, h);
    }

    /**
     * {@code self} sends to the interrupt thread {@code it}: if it is {@code it}'s handler and
     * {@code it} waits for its acknowledgement, the thread is armed again and its line unmasked
     * (answers true); otherwise nothing happens and the send fails (false).
     */
    static boolean acknowledge(Tcb self, Tcb it) {
        if (it.state != WAITING_ACK || it.irqHandler != self.globalId) return false;
        it.state = HALTED;
        it.partner = 0;
        InterruptController pic = self.kernel.machine.interruptController();
        pic.unmask(it.irqLine);
        if (pic.isPending(it.irqLine)) self.cpu.machineCpu.requestCheck();   // delivered at the next check
        self.kernel.trace(Trace.DELIVER, self, it);
        return true;
    }

    /**
     * The handler of {@code it} is gone (deleted, or a new version) while {@code it} was queued
     * at it or waited for its acknowledgement: X.2 sets the interrupt thread aborted; its line
     * stays masked until it is associated again.
     */
    public static void handlerGone(Tcb it) {
        if (it.state == POLLING && it.partnerTcb != null) SendQueue.dequeue(it.partnerTcb, it);
        it.partnerTcb = null;
        it.partner = 0;
        it.state = ABORTED;
        it.irqHandler = 0;
    }
}
