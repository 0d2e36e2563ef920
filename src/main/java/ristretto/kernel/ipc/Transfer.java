package ristretto.kernel.ipc;

import static ristretto.kernel.thread.ThreadState.RUNNING;
import static ristretto.kernel.thread.ThreadState.isWaiting;

import java.lang.foreign.MemorySegment;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.time.Timeouts;

/**
 * Message transfer (§9.4): moving the words of a message from the sender's UTCB to the
 * receiver's, delivering it as the virtual sender when propagated, and the start-up message.
 */
public final class Transfer {
    private Transfer() {}

    /** Copies MR1..MRu from one UTCB to another in a single bulk move. */
    static void copyWords(Tcb from, Tcb to, int u) {
        MemorySegment phys = from.kernel.phys;
        MemorySegment.copy(phys, from.utcbPhys + Utcb.mr(1), phys, to.utcbPhys + Utcb.mr(1), 8L * u);
    }

    /**
     * Moves the message from {@code self} to {@code dest}, which is waiting or locked for it,
     * and leaves both RUNNING with their results set: the words MR1..MRu+t in one copy, then
     * the typed items ({@link TypedItems}; strings may block the sender in page faults, both
     * partners locked meanwhile). A message longer than the MRs (u + t + 1 > 64) or a typed item
     * that cannot be transferred is a message overflow for both sides (§7), never a crash; a
     * string transfer can also end in an xfer timeout or an abort. Answers false when it failed.
     */
    static boolean transfer(Tcb self, Tcb dest, long tag, long sender, long intended) {
        Kernel k = self.kernel;
        Timeouts.cancel(dest);
        int u = MsgTag.u(tag), t = MsgTag.t(tag);
        if (u + t + 1 > Utcb.MR_COUNT) return overflow(self, dest, tag);
        if (dest.nested != null) dest.nested.keep(dest, u + t);   // a reply to a kernel-generated IPC
        if (u + t > 0) copyWords(self, dest, u + t);
        if (t > 0 && !TypedItems.transfer(self, dest, tag, u, t)) return false;
        self.state = RUNNING;
        long delivered = tag & ~MsgTag.RECEIVE_FLAGS;
        Tcb seenAs = self;
        if (sender != self.globalId) {               // propagated: deliver as the virtual sender
            Tcb vs = k.threads.lookupGlobal(sender);
            if (vs != null && Ipc.propagationAllowed(self, vs, dest)) {
                seenAs = vs;
                dest.setWord(Utcb.VIRTUAL_SENDER, self.globalId);        // ActualSender
                // Reply redirection: a client waiting on the propagator now waits on dest.
                if (isWaiting(vs.state) && vs.partner == self.globalId) {
                    vs.partner = dest.globalId;
                    Waiters.await(vs, dest);
                }
            } else delivered &= ~MsgTag.FLAG_PROPAGATED;
        } else delivered &= ~MsgTag.FLAG_PROPAGATED;
        if (intended != ThreadId.NIL) {
            delivered |= MsgTag.FLAG_REDIRECTED;
            dest.setWord(Utcb.INTENDED_RECEIVER, intended);
        }
        dest.setMr(0, delivered);
        dest.ipcResult = seenAs.idSeenBy(dest);
        dest.partner = seenAs.globalId;
        dest.state = RUNNING;
        k.trace(Trace.DELIVER, self, dest);
        return true;
    }

    /**
     * Both sides of a failed transfer that copied no string get a message overflow; both become
     * RUNNING and {@code dest} is woken. Answers false.
     */
    static boolean overflow(Tcb self, Tcb dest, long tag) {
        long sendErr = IpcError.encode(IpcError.PHASE_SEND, IpcError.MSG_OVERFLOW, 0);
        long rcvErr = IpcError.encode(IpcError.PHASE_RECEIVE, IpcError.MSG_OVERFLOW, 0);
        dest.setMr(0, (tag & ~MsgTag.RECEIVE_FLAGS) | MsgTag.FLAG_ERROR);
        dest.setWord(Utcb.ERROR_CODE, rcvErr);
        dest.ipcResult = ThreadId.NIL;
        dest.state = RUNNING;
        dest.awaitingStartup = false;
        dest.cpu.scheduler.wake(dest);
        self.state = RUNNING;
        self.setMr(0, dest.mr(0));
        self.setWord(Utcb.ERROR_CODE, sendErr);
        self.kernel.trace(Trace.IPC_ERROR, self, dest);
        return false;
    }

    /** §13.6: the first message to a freshly activated thread; u = 2 carries IP and SP. */
    static void startupReceived(Tcb t) {
        t.awaitingStartup = false;
        if (MsgTag.u(t.mr(0)) == 2) {
            t.ip = t.mr(1);
            t.sp = t.mr(2);
        }
        t.cont = null;                          // starts fresh at IP when dispatched
    }
}
