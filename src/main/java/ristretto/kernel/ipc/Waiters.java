package ristretto.kernel.ipc;

import ristretto.kernel.thread.Tcb;

/**
 * The threads that wait in a closed receive for one thread in particular: a ring per thread
 * through {@code waitNext/waitPrev}, so that deleting a thread (or changing its version) finds
 * them without scanning the thread table.
 *
 * <p>Kept lazily: a thread joins the ring of the thread it waits for when it starts waiting for
 * it and stays there after it stopped waiting, until it waits for another thread or is deleted.
 * A client calling the same server again and again therefore costs one compare per call. Whoever
 * walks a ring checks each member's state; the ring holds at most every thread once.
 */
public final class Waiters {
    private Waiters() {}

    /** {@code t} now waits for {@code partner} specifically. */
    public static void await(Tcb t, Tcb partner) {
        if (t.waitingOn != partner) relink(t, partner);
    }

    private static void relink(Tcb t, Tcb partner) {
        leave(t);
        Tcb h = partner.waitersHead;
        if (h == null) {
            partner.waitersHead = t.waitNext = t.waitPrev = t;
        } else {
            Tcb tail = h.waitPrev;
            t.waitNext = h; t.waitPrev = tail; tail.waitNext = t; h.waitPrev = t;
        }
        t.waitingOn = partner;
    }

    /** {@code t} leaves the ring it is in, if any. */
    public static void leave(Tcb t) {
        Tcb on = t.waitingOn;
        if (on == null) return;
        if (t.waitNext == t) on.waitersHead = null;
        else {
            t.waitPrev.waitNext = t.waitNext;
            t.waitNext.waitPrev = t.waitPrev;
            if (on.waitersHead == t) on.waitersHead = t.waitNext;
        }
        t.waitNext = t.waitPrev = null;
        t.waitingOn = null;
    }

    /** Takes the first member of {@code t}'s ring out of it and answers it, or null if empty. */
    public static Tcb takeFirst(Tcb t) {
        Tcb w = t.waitersHead;
        if (w != null) leave(w);
        return w;
    }
}
