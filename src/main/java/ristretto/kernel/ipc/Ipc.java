package ristretto.kernel.ipc;

import static ristretto.kernel.thread.ThreadState.*;

import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.mem.Space;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.sched.Scheduler;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.time.Timeouts;

/**
 * The IPC system call, slow path (§8, §9): send phase, then receive phase, switched atomically.
 *
 * <p>Rendezvous follows Pistachio's sender-driven scheme: a receiver that finds a queued sender
 * locks both (handshake) and switches to it; the sender copies the message in its own context
 * and then enters its own receive phase, so a server replying with a zero timeout always finds
 * its caller waiting (seed 003, "Switching from Send to Receive").
 *
 * <p>Every way a blocked thread is woken writes that thread's results (MR0, ErrorCode, From)
 * before making it runnable; the woken thread only returns them. Who runs after each phase,
 * the {@link Scheduler} decides.
 */
public final class Ipc {
    private Ipc() {}

    public static long ipc(Tcb self, Processor p, long to, long fromSpec, long timeouts) {
        Kernel k = self.kernel;
        Scheduler sched = p.scheduler;
        Tcb sentTo = null;
        if (to != ThreadId.NIL) {
            // ------------------------------------------------------------- send phase
            long tag = self.mr(0);
            Tcb dest = k.threads.lookup(to, self);
            if (dest != null && dest.irqLine >= 0) {
                // §13.3: a send to an interrupt thread acknowledges its interrupt (it carries nothing).
                if (!InterruptIpc.acknowledge(self, dest)) return sendFailed(self, IpcError.TIMEOUT, MsgTag.ERROR_TAG);
                if (fromSpec == ThreadId.NIL) { self.ipcResult = ThreadId.NIL; return p.returnToUser(self); }
                return receive(self, p, fromSpec, timeouts, null);
            }
            if (dest == null || !dest.activated()) return sendFailed(self, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);

            // X.2 redirection (Pistachio lacks it): IPC leaving a space with a redirector goes there.
            long intended = ThreadId.NIL;
            long redirector = self.space.redirector;
            if (redirector != ThreadId.NIL && dest.space != self.space && dest.globalId != redirector) {
                Tcb r = k.threads.lookupGlobal(redirector);
                if (r == null || !r.activated()) return sendFailed(self, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
                intended = dest.globalId;
                dest = r;
            }
            long sender = effectiveSender(self, dest, tag);

            if (!readyFor(dest, self, sender)) {
                int snd = Timeouts.effective(Timeout.send(timeouts), p.clock.nowMicros());
                if (snd == Timeout.ZERO) return sendFailed(self, IpcError.TIMEOUT, MsgTag.ERROR_TAG);
                self.ipcFrom = fromSpec;
                self.ipcTimeouts = timeouts;
                self.ipcSender = sender;
                self.ipcIntended = intended;
                self.partner = dest.globalId;
                self.partnerTcb = dest;
                self.state = POLLING;
                SendQueue.enqueue(dest, self);
                Timeouts.arm(self, snd);
                k.trace(Trace.BLOCK_SEND, self, dest);
                sched.block(self);
                if (self.state != LOCKED_RUNNING) return p.returnToUser(self);   // timeout, cancel, deletion
                // Handshake: dest is locked waiting for us; the message may have changed meanwhile.
                dest = self.partnerTcb;
                tag = self.mr(0);
                sender = self.ipcSender;
                intended = self.ipcIntended;
                fromSpec = self.ipcFrom;
                timeouts = self.ipcTimeouts;
            }
            // -------------------------------------------------------------- transfer
            if (!Transfer.transfer(self, dest, tag, sender, intended)) {
                // Both sides got their errors (overflow, xfer timeout, abort); the receiver is runnable.
                self.ipcResult = to;
                return p.returnToUser(self);
            }
            if (dest.awaitingStartup) Transfer.startupReceived(dest);
            if (fromSpec == ThreadId.NIL) {
                sched.afterSend(self, dest);      // the receiver preempts only if strictly higher
                self.ipcResult = ThreadId.NIL;
                return p.returnToUser(self);
            }
            sentTo = dest;
        }
        if (fromSpec == ThreadId.NIL) { self.ipcResult = ThreadId.NIL; return ThreadId.NIL; }
        return receive(self, p, fromSpec, timeouts, sentTo);
    }

    /** The receive phase, after {@code self} sent to {@code sentTo} (or sent nothing: null). */
    private static long receive(Tcb self, Processor p, long fromSpec, long timeouts, Tcb sentTo) {
        Kernel k = self.kernel;
        Scheduler sched = p.scheduler;
        long from = fromSpec;
        Tcb closedOn = null;
        if (from != ThreadId.ANY && from != ThreadId.ANY_LOCAL) {
            closedOn = k.threads.lookup(from, self);
            if (closedOn == null) return receiveFailed(self, p, sentTo, IpcError.NO_PARTNER);
            from = closedOn.globalId;
        }
        Tcb candidate = SendQueue.select(self, from);
        if (candidate != null && candidate.irqLine >= 0) {
            // An interrupt thread's message is the kernel's: delivered here, nobody to switch to.
            InterruptIpc.received(self, candidate);
            if (sentTo != null) sched.afterSend(self, sentTo);
            return p.returnToUser(self);
        }
        if (candidate != null) {
            // Handshake: lock both and let the sender copy in its own context.
            SendQueue.dequeue(self, candidate);
            Timeouts.cancel(candidate);
            candidate.state = LOCKED_RUNNING;
            candidate.partnerTcb = self;
            self.state = LOCKED_WAITING;
            self.partner = candidate.globalId;
            self.partnerTcb = candidate;
            k.trace(Trace.HANDSHAKE, self, candidate);
            sched.handshake(self, candidate, sentTo);
            return p.returnToUser(self);
        }
        int rcv = Timeouts.effective(Timeout.receive(timeouts), p.clock.nowMicros());
        if (rcv == Timeout.ZERO) return receiveFailed(self, p, sentTo, IpcError.TIMEOUT);
        self.partner = from;
        self.partnerTcb = null;
        self.state = rcv == Timeout.NEVER ? WAITING_FOREVER : WAITING_TIMEOUT;
        if (closedOn != null) Waiters.await(self, closedOn);
        Timeouts.arm(self, rcv);
        k.trace(Trace.BLOCK_RECEIVE, self, sentTo);
        sched.blockAfterSend(self, sentTo);
        return p.returnToUser(self);
    }

    // ----------------------------------------------------------------------- rendezvous rules

    /** §8.5: the ID the receiver sees as sender: the virtual sender if propagation is allowed. */
    static long effectiveSender(Tcb self, Tcb dest, long tag) {
        if ((tag & MsgTag.FLAG_PROPAGATED) == 0) return self.globalId;
        Tcb vs = self.kernel.threads.lookup(self.word(Utcb.VIRTUAL_SENDER), self);
        return vs != null && propagationAllowed(self, vs, dest) ? vs.globalId : self.globalId;
    }

    /**
     * Propagation is allowed when the virtual sender or the destination shares the propagator's
     * space (Pistachio), or — X.2 redirection — the propagator is a redirector in the virtual
     * sender's chain: the redirector of its space, or the redirector of that redirector's space,
     * and so on, so that each redirector a message passes can forward it as its sender.
     */
    static boolean propagationAllowed(Tcb self, Tcb vs, Tcb dest) {
        return vs.space == self.space || dest.space == self.space || inRedirectorChain(self, vs.space);
    }

    /** How far a redirector chain is followed: a cycle (spaces redirecting to each other) ends here. */
    static final int MAX_REDIRECTOR_HOPS = 16;

    /** {@code self} redirects {@code s}, or the space of its redirector, and so on, at most {@link #MAX_REDIRECTOR_HOPS} hops. */
    private static boolean inRedirectorChain(Tcb self, Space s) {
        for (int hop = 0; hop < MAX_REDIRECTOR_HOPS && s.redirector != ThreadId.NIL; hop++) {
            if (s.redirector == self.globalId) return true;
            Tcb r = self.kernel.threads.lookupGlobal(s.redirector);
            if (r == null) return false;
            s = r.space;
        }
        return false;
    }

    /** §8.4: dest is blocked in a receive that accepts a message from {@code self} / {@code sender}. */
    static boolean readyFor(Tcb dest, Tcb self, long sender) {
        if (!isWaiting(dest.state)) return false;
        long w = dest.partner;
        return w == ThreadId.ANY || w == sender || w == self.globalId
                || (w == ThreadId.ANY_LOCAL && dest.space == self.space && !dest.awaitingStartup);
    }

    // -------------------------------------------------------------------------------- errors

    static long sendFailed(Tcb self, int error, long mr0) {
        self.setMr(0, mr0);
        self.setWord(Utcb.ERROR_CODE, IpcError.encode(IpcError.PHASE_SEND, error, 0));
        self.ipcResult = ThreadId.NIL;
        self.kernel.trace(Trace.IPC_ERROR, self, null);
        return ThreadId.NIL;
    }

    private static long receiveFailed(Tcb self, Processor p, Tcb sentTo, int error) {
        self.setMr(0, MsgTag.ERROR_TAG);
        self.setWord(Utcb.ERROR_CODE, IpcError.encode(IpcError.PHASE_RECEIVE, error, 0));
        self.ipcResult = ThreadId.NIL;
        self.kernel.trace(Trace.IPC_ERROR, self, null);
        p.scheduler.afterReceiveFailed(self, sentTo);   // §8.9: switch to the thread that just received
        return p.returnToUser(self);
    }
}
