package ristretto.kernel.ipc;

import ristretto.abi.ThreadId;
import ristretto.kernel.thread.Tcb;

/**
 * A receiver's send queue: the threads polling on it, a ring through {@code sendNext/sendPrev}
 * in priority order, FIFO within a priority (§9.2).
 */
public final class SendQueue {
    private SendQueue() {}

    /** The first queued sender (highest priority, then FIFO) that {@code from} accepts, or null. */
    static Tcb select(Tcb self, long from) {
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
    public static void enqueue(Tcb dest, Tcb s) {
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

    public static void dequeue(Tcb dest, Tcb s) {
        if (s.sendNext == null) return;
        if (s.sendNext == s) dest.sendHead = null;
        else {
            s.sendPrev.sendNext = s.sendNext;
            s.sendNext.sendPrev = s.sendPrev;
            if (dest.sendHead == s) dest.sendHead = s.sendNext;
        }
        s.sendNext = s.sendPrev = null;
    }
}
