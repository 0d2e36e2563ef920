package ristretto.kernel.sched;

import ristretto.kernel.thread.Tcb;

/**
 * Per-CPU ready queues: 256 priority levels, each a circular doubly linked list threaded
 * through the TCBs, and a 256-bit occupancy bitmap so the highest level is found in O(1).
 *
 * <p>With lazy scheduling (seed 000, "Memory is forbidden") the queue holds at least every
 * ready thread; blocked threads may linger and are dropped when {@link #highest} meets them.
 */
public final class ReadyQueue {
    private final Tcb[] head = new Tcb[256];
    private final long[] bitmap = new long[4];

    public boolean contains(Tcb t) { return t.readyNext != null; }

    /** Appends {@code t} at the tail of its priority level (no-op if already queued). */
    public void enqueue(Tcb t) {
        if (t.readyNext != null) return;
        int p = t.prio;
        Tcb h = head[p];
        if (h == null) {
            head[p] = t;
            t.readyNext = t.readyPrev = t;
            bitmap[p >>> 6] |= 1L << (p & 63);
        } else {
            Tcb tail = h.readyPrev;
            t.readyNext = h; t.readyPrev = tail;
            tail.readyNext = t; h.readyPrev = t;
        }
    }

    /** Puts {@code t} first in its level (used for a thread preempted by a higher priority). */
    public void enqueueFront(Tcb t) {
        enqueue(t);
        head[t.prio] = t;
    }

    public void remove(Tcb t) {
        if (t.readyNext == null) return;
        int p = t.prio;
        if (t.readyNext == t) {
            head[p] = null;
            bitmap[p >>> 6] &= ~(1L << (p & 63));
        } else {
            t.readyPrev.readyNext = t.readyNext;
            t.readyNext.readyPrev = t.readyPrev;
            if (head[p] == t) head[p] = t.readyNext;
        }
        t.readyNext = t.readyPrev = null;
    }

    /** Moves {@code t} to the tail of its level (round robin at the end of a timeslice). */
    public void rotate(Tcb t) {
        remove(t);
        enqueue(t);
    }

    /** The first runnable thread of the highest non-empty level; drops blocked ones lazily. */
    public Tcb highest() {
        for (int w = 3; w >= 0; w--) {
            while (bitmap[w] != 0) {
                int p = (w << 6) + 63 - Long.numberOfLeadingZeros(bitmap[w]);
                Tcb t = head[p];
                while (t != null && !t.runnable()) { remove(t); t = head[p]; }
                if (t != null) return t;
            }
        }
        return null;
    }

    /** Highest priority with a queued thread (runnable or not), or -1. */
    public int highestPriority() {
        for (int w = 3; w >= 0; w--)
            if (bitmap[w] != 0) return (w << 6) + 63 - Long.numberOfLeadingZeros(bitmap[w]);
        return -1;
    }
}
