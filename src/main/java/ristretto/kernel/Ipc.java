package ristretto.kernel;

import static ristretto.kernel.ThreadState.*;

import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;

/**
 * The IPC system call, slow path (§8, §9): send phase, then receive phase, switched atomically.
 *
 * <p>Rendezvous follows Pistachio's sender-driven scheme: a receiver that finds a queued sender
 * locks both (handshake) and switches to it; the sender copies the message in its own context
 * and then enters its own receive phase, so a server replying with a zero timeout always finds
 * its caller waiting (seed 003, "Switching from Send to Receive").
 *
 * <p>Every way a blocked thread is woken writes that thread's results (MR0, ErrorCode, From)
 * before making it runnable; the woken thread only returns them.
 */
final class Ipc {
    private Ipc() {}

    static long ipc(Tcb self, Processor p, long to, long fromSpec, long timeouts) {
        Kernel k = self.kernel;
        Tcb sentTo = null;
        if (to != ThreadId.NIL) {
            // ------------------------------------------------------------- send phase
            long tag = self.mr(0);
            Tcb dest = k.lookup(to, self);
            if (dest == null || !dest.activated()) return sendFailed(self, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);

            // X.2 redirection (Pistachio lacks it): IPC leaving a space with a redirector goes there.
            long intended = ThreadId.NIL;
            long redirector = self.space.redirector;
            if (redirector != ThreadId.NIL && dest.space != self.space && dest.globalId != redirector) {
                Tcb r = k.lookupGlobal(redirector);
                if (r == null || !r.activated()) return sendFailed(self, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
                intended = dest.globalId;
                dest = r;
            }
            long sender = effectiveSender(self, dest, tag);

            if (!readyFor(dest, self, sender)) {
                int snd = Timeout.send(timeouts);
                if (snd == Timeout.ZERO) return sendFailed(self, IpcError.TIMEOUT, MsgTag.ERROR_TAG);
                self.ipcFrom = fromSpec;
                self.ipcTimeouts = timeouts;
                self.ipcSender = sender;
                self.ipcIntended = intended;
                self.partner = dest.globalId;
                self.partnerTcb = dest;
                self.state = POLLING;
                enqueueSender(dest, self);
                k.armTimeout(self, snd);
                k.trace(Trace.BLOCK_SEND, self, dest);
                p.block(self);
                if (self.state != LOCKED_RUNNING) return p.returnToUser(self);   // timeout, cancel, deletion
                // Handshake: dest is locked waiting for us; the message may have changed meanwhile.
                dest = self.partnerTcb;
                tag = self.mr(0);
                sender = self.ipcSender;
                intended = self.ipcIntended;
                fromSpec = self.ipcFrom;
                timeouts = self.ipcTimeouts;
                self.state = RUNNING;
            }
            // -------------------------------------------------------------- transfer
            if (!transfer(self, dest, tag, sender, intended)) {
                // Both sides got a message-overflow error; the receiver becomes runnable.
                p.makeReady(dest);
                self.ipcResult = to;
                return p.returnToUser(self);
            }
            if (dest.awaitingStartup) startupReceived(dest);
            if (fromSpec == ThreadId.NIL) {
                p.wakeAfterSend(self, dest);      // the receiver preempts only if strictly higher
                self.ipcResult = ThreadId.NIL;
                return p.returnToUser(self);
            }
            sentTo = dest;
        }
        if (fromSpec == ThreadId.NIL) { self.ipcResult = ThreadId.NIL; return ThreadId.NIL; }

        // ---------------------------------------------------------------- receive phase
        long from = fromSpec;
        if (from != ThreadId.ANY && from != ThreadId.ANY_LOCAL) {
            Tcb f = k.lookup(from, self);
            if (f == null) return receiveFailed(self, p, sentTo, IpcError.NO_PARTNER);
            from = f.globalId;
        }
        Tcb candidate = selectSender(self, from);
        if (candidate != null) {
            // Handshake: lock both and let the sender copy in its own context.
            dequeueSender(self, candidate);
            k.cancelTimeout(candidate);
            candidate.state = LOCKED_RUNNING;
            candidate.partnerTcb = self;
            self.state = LOCKED_WAITING;
            self.partner = candidate.globalId;
            self.partnerTcb = candidate;
            k.trace(Trace.HANDSHAKE, self, candidate);
            if (sentTo != null) {
                // Both the new sender and the thread we just sent to are runnable: run the
                // higher priority one (ties favour the sender), queue the other.
                Tcb first = sentTo.prio > candidate.prio ? sentTo : candidate;
                p.makeReady(first == sentTo ? candidate : sentTo);
                p.switchTo(self, first);
            } else {
                p.switchTo(self, candidate);
            }
            return p.returnToUser(self);
        }
        int rcv = Timeout.receive(timeouts);
        if (rcv == Timeout.ZERO) return receiveFailed(self, p, sentTo, IpcError.TIMEOUT);
        self.partner = from;
        self.partnerTcb = null;
        self.state = rcv == Timeout.NEVER ? WAITING_FOREVER : WAITING_TIMEOUT;
        k.armTimeout(self, rcv);
        k.trace(Trace.BLOCK_RECEIVE, self, sentTo);
        if (sentTo != null && p.kernel.directSwitch) p.switchTo(self, sentTo);   // donation
        else {
            if (sentTo != null) p.makeReady(sentTo);
            p.block(self);
        }
        return p.returnToUser(self);
    }

    // ----------------------------------------------------------------------- rendezvous rules

    /** §8.5: the ID the receiver sees as sender: the virtual sender if propagation is allowed. */
    static long effectiveSender(Tcb self, Tcb dest, long tag) {
        if ((tag & MsgTag.FLAG_PROPAGATED) == 0) return self.globalId;
        Tcb vs = self.kernel.lookup(self.word(Utcb.VIRTUAL_SENDER), self);
        return vs != null && propagationAllowed(self, vs, dest) ? vs.globalId : self.globalId;
    }

    /**
     * Propagation is allowed when the virtual sender or the destination shares the propagator's
     * space (Pistachio), or — X.2 redirection — the propagator is the redirector of the virtual
     * sender's space, so that a redirector can forward what it intercepted.
     */
    static boolean propagationAllowed(Tcb self, Tcb vs, Tcb dest) {
        return vs.space == self.space || dest.space == self.space || vs.space.redirector == self.globalId;
    }

    /** §8.4: dest is blocked in a receive that accepts a message from {@code self} / {@code sender}. */
    static boolean readyFor(Tcb dest, Tcb self, long sender) {
        if (!isWaiting(dest.state)) return false;
        long w = dest.partner;
        return w == ThreadId.ANY || w == sender || w == self.globalId
                || (w == ThreadId.ANY_LOCAL && dest.space == self.space && !dest.awaitingStartup);
    }

    /** The first queued sender (highest priority, then FIFO) that {@code from} accepts, or null. */
    static Tcb selectSender(Tcb self, long from) {
        Tcb h = self.sendHead;
        if (h == null) return null;
        Tcb s = h;
        do {
            if (from == ThreadId.ANY || (from == ThreadId.ANY_LOCAL && s.space == self.space)
                    || s.globalId == from || s.ipcSender == from) return s;
            s = s.sendNext;
        } while (s != h);
        return null;
    }

    /** Inserts {@code s} into {@code dest}'s send queue: by priority, FIFO within a priority. */
    static void enqueueSender(Tcb dest, Tcb s) {
        Tcb h = dest.sendHead;
        if (h == null) {
            dest.sendHead = s.sendNext = s.sendPrev = s;
            return;
        }
        Tcb after = h.sendPrev;                     // walk back from the tail
        while (after.prio < s.prio && after != h) after = after.sendPrev;
        if (after == h && h.prio < s.prio) {        // goes before the head
            Tcb tail = h.sendPrev;
            s.sendNext = h; s.sendPrev = tail; tail.sendNext = s; h.sendPrev = s;
            dest.sendHead = s;
            return;
        }
        s.sendPrev = after; s.sendNext = after.sendNext;
        after.sendNext.sendPrev = s; after.sendNext = s;
    }

    static void dequeueSender(Tcb dest, Tcb s) {
        if (s.sendNext == null) return;
        if (s.sendNext == s) dest.sendHead = null;
        else {
            s.sendPrev.sendNext = s.sendNext;
            s.sendNext.sendPrev = s.sendPrev;
            if (dest.sendHead == s) dest.sendHead = s.sendNext;
        }
        s.sendNext = s.sendPrev = null;
    }

    // ------------------------------------------------------------------------------ transfer

    /**
     * Moves the message from {@code self} to {@code dest}, which is waiting or locked for it,
     * and leaves {@code dest} RUNNING with its results set. Typed items (t > 0) arrive with the
     * memory and long-IPC issues; until then they, and any u + t + 1 > 64, are a message
     * overflow for both sides (§7), never a crash.
     */
    static boolean transfer(Tcb self, Tcb dest, long tag, long sender, long intended) {
        Kernel k = self.kernel;
        k.cancelTimeout(dest);
        int u = MsgTag.u(tag), t = MsgTag.t(tag);
        if (t > 0 || u + t + 1 > Utcb.MR_COUNT) {
            long sendErr = IpcError.encode(IpcError.PHASE_SEND, IpcError.MSG_OVERFLOW, 0);
            long rcvErr = IpcError.encode(IpcError.PHASE_RECEIVE, IpcError.MSG_OVERFLOW, 0);
            dest.setMr(0, (tag & ~MsgTag.RECEIVE_FLAGS) | MsgTag.FLAG_ERROR);
            dest.setWord(Utcb.ERROR_CODE, rcvErr);
            dest.ipcResult = ThreadId.NIL;
            dest.state = RUNNING;
            dest.awaitingStartup = false;
            self.setMr(0, dest.mr(0));
            self.setWord(Utcb.ERROR_CODE, sendErr);
            k.trace(Trace.IPC_ERROR, self, dest);
            return false;
        }
        if (u > 0) k.copyWords(self, dest, u);
        long delivered = tag & ~MsgTag.RECEIVE_FLAGS;
        Tcb seenAs = self;
        if (sender != self.globalId) {               // propagated: deliver as the virtual sender
            Tcb vs = k.lookupGlobal(sender);
            if (vs != null && propagationAllowed(self, vs, dest)) {
                seenAs = vs;
                dest.setWord(Utcb.VIRTUAL_SENDER, self.globalId);        // ActualSender
                // Reply redirection: a client waiting on the propagator now waits on dest.
                if (isWaiting(vs.state) && vs.partner == self.globalId) vs.partner = dest.globalId;
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

    /** §13.6: the first message to a freshly activated thread; u = 2 carries IP and SP. */
    static void startupReceived(Tcb t) {
        t.awaitingStartup = false;
        if (MsgTag.u(t.mr(0)) == 2) {
            t.ip = t.mr(1);
            t.sp = t.mr(2);
        }
        t.cont = null;                          // starts fresh at IP when dispatched
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
        if (sentTo != null) {                    // §8.9: switch to the thread that just received
            if (p.kernel.directSwitch) {
                p.ready.enqueue(self);
                p.switchTo(self, sentTo);
            } else p.wakeAfterSend(self, sentTo);
        }
        return p.returnToUser(self);
    }

    /**
     * Ends the IPC of a blocked thread with an error (timeout, cancel, partner gone) and makes it
     * runnable (§9.5). Answers false if the thread was not in IPC. A thread locked in a
     * handshake takes its partner down with it ("aborted", both sides).
     */
    static boolean unwind(Tcb t, int error, Processor p) {
        Kernel k = t.kernel;
        switch (t.state) {
            case POLLING -> {
                dequeueSender(t.partnerTcb, t);
                k.cancelTimeout(t);
                t.setMr(0, t.mr(0) | MsgTag.FLAG_ERROR);
                t.setWord(Utcb.ERROR_CODE, IpcError.encode(IpcError.PHASE_SEND, error, 0));
            }
            case WAITING_FOREVER, WAITING_TIMEOUT -> {
                k.cancelTimeout(t);
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
                    p.makeReady(other);
                }
            }
            default -> { return false; }
        }
        t.ipcResult = ThreadId.NIL;
        t.state = RUNNING;
        t.partnerTcb = null;
        k.trace(Trace.UNWIND, t, null);
        return true;
    }
}
