package ristretto.kernel.sched;

import ristretto.abi.IpcError;
import ristretto.abi.Utcb;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.ipc.Unwind;
import ristretto.kernel.thread.Tcb;
import ristretto.machine.EventQueue;

/**
 * The one place that decides who runs next on a CPU (sched-rr, as Pistachio): 256 priority levels,
 * strict priority with round robin inside a level, timeslices and total quanta, lazy ready
 * queues. IPC, the system calls and the CPU's events report what happened (a thread blocked, was
 * woken, sent, changed priority, yielded, ran out of its slice) and this class answers with the
 * switch, which {@link Processor} carries out.
 *
 * <p>Every wake-up goes through {@link #wake}: a thread of another CPU is posted to that CPU's
 * inbox instead of being queued here (one owner per CPU).
 */
public final class Scheduler {
    private final Processor p;
    final ReadyQueue ready = new ReadyQueue();
    /** Whose timeslice is being consumed (differs from current under donation) and its end. */
    private Tcb sliceOwner;
    private long sliceEndNs = Long.MAX_VALUE;
    /** The highest priority woken by the events being handled now (-1: none). */
    private int wokenPrio = -1;
    /** When a preemption deferred by delayed preemption (§3.4) takes effect; MAX_VALUE: none. */
    private long delayedUntilNs = Long.MAX_VALUE;

    Scheduler(Processor p) { this.p = p; }

    private boolean lazy() { return p.kernel.lazyScheduling; }

    // ------------------------------------------------------------------------------- wake-ups

    /** The one wake-up path: {@code t} is runnable now and joins its CPU's ready queue. */
    public void wake(Tcb t) {
        if (t.cpu != p) { t.cpu.postWake(t); return; }
        ready.enqueue(t);
    }

    public boolean hasReady() { return ready.highest() != null; }

    public boolean isQueued(Tcb t) { return ready.contains(t); }

    /** {@code t} leaves this CPU for good (deletion): out of the queue and the slice account. */
    public void forget(Tcb t) {
        ready.remove(t);
        if (sliceOwner == t) endSlice();
    }

    // ------------------------------------------------------------------------- choosing

    /** The highest-priority ready thread; a new slice owner gets its timeslice account. */
    Tcb choose() {
        Tcb t = ready.highest();
        if (t != null && t != sliceOwner) {
            long now = p.clock.nowNs();
            if (sliceOwner != null) sliceOwner.sliceLeftNs = Math.max(0, sliceEndNs - now);
            sliceOwner = t;
            if (t.sliceLeftNs <= 0) t.sliceLeftNs = t.timesliceNs;
            sliceEndNs = now + t.sliceLeftNs;
            p.machineCpu.post(EventQueue.SLICE, sliceEndNs);
        }
        return t;
    }

    void idle() { endSlice(); }

    private void endSlice() {
        sliceOwner = null;
        sliceEndNs = Long.MAX_VALUE;
        p.machineCpu.events().cancel(EventQueue.SLICE);
    }

    /** The remaining timeslice of {@code t} in ns (live for the slice owner). */
    public long sliceLeftNs(Tcb t) {
        return sliceOwner == t ? Math.max(0, sliceEndNs - p.clock.nowNs()) : t.sliceLeftNs;
    }

    /** {@code t}'s timeslice length changed: a running account restarts with it. */
    public void timesliceChanged(Tcb t) {
        if (sliceOwner == t) {
            sliceEndNs = p.clock.nowNs() + t.timesliceNs;
            p.machineCpu.post(EventQueue.SLICE, sliceEndNs);
        }
    }

    // ---------------------------------------------------------------- decisions after IPC

    /** {@code self} blocks; the scheduler picks who runs. Returns when {@code self} runs again. */
    public void block(Tcb self) {
        if (!lazy()) ready.remove(self);
        p.yieldTo(self, null);
    }

    /** Switches directly from {@code self} to {@code target} (runnable); returns when resumed. */
    public void switchTo(Tcb self, Tcb target) {
        if (!lazy()) {                              // eager queues hold exactly the runnable threads
            if (!self.runnable()) ready.remove(self);
            ready.enqueue(target);
        }
        p.yieldTo(self, target);
    }

    /** Eager queues (the ablation of lazy scheduling) after a fast-path switch from {@code self} to {@code dest}. */
    public void eagerSwitch(Tcb self, Tcb dest) {
        ready.remove(self);
        ready.enqueue(dest);
    }

    /**
     * After a send-only IPC woke {@code dest}: the receiver preempts the sender only if its
     * priority is strictly higher (§8.9); otherwise it is queued.
     */
    public void afterSend(Tcb self, Tcb dest) {
        if (dest.prio > self.prio && dest.cpu == p) {
            ready.enqueueFront(self);
            switchTo(self, dest);
        } else {
            wake(dest);
        }
    }

    /**
     * {@code self} blocks in its receive phase after sending to {@code sentTo} (or sent nothing):
     * with direct switch the receiver runs at once on the sender's timeslice (donation).
     */
    public void blockAfterSend(Tcb self, Tcb sentTo) {
        if (sentTo != null && p.kernel.directSwitch) switchTo(self, sentTo);
        else {
            if (sentTo != null) wake(sentTo);
            block(self);
        }
    }

    /**
     * {@code self} found a queued sender ({@code candidate}, now locked with it) while the thread
     * it just sent to ({@code sentTo}, or null) is also runnable: the higher priority runs (ties
     * favour the sender), the other is queued.
     */
    public void handshake(Tcb self, Tcb candidate, Tcb sentTo) {
        if (sentTo == null) { switchTo(self, candidate); return; }
        Tcb first = sentTo.prio > candidate.prio ? sentTo : candidate;
        wake(first == sentTo ? candidate : sentTo);
        switchTo(self, first);
    }

    /** {@code self}'s receive phase failed at once after it sent to {@code sentTo} (§8.9). */
    public void afterReceiveFailed(Tcb self, Tcb sentTo) {
        if (sentTo == null) return;
        if (p.kernel.directSwitch) {
            ready.enqueue(self);
            switchTo(self, sentTo);
        } else afterSend(self, sentTo);
    }

    // ------------------------------------------------------------ priorities and yielding

    /** Changes {@code t}'s priority, keeping the ready queue in order. */
    public void setPriority(Tcb t, int prio) {
        boolean queued = ready.contains(t);
        ready.remove(t);
        t.prio = prio;
        if (queued || (t.runnable() && p.current != t)) ready.enqueue(t);
    }

    /** After a priority change, a higher-priority ready thread takes the CPU from {@code self} at once. */
    public void preemptIfOutranked(Tcb self) {
        if (p.current == self && self.runnable() && ready.highestPriority() > self.prio) {
            ready.enqueue(self);
            p.yieldTo(self, null);
        }
    }

    /** ThreadSwitch to {@code t}: donate the rest of the timeslice. */
    public void donate(Tcb self, Tcb t) {
        ready.enqueue(self);
        switchTo(self, t);
    }

    /** ThreadSwitch(nil): the rest of the timeslice is given up; back to the tail with a fresh one. */
    public void yield(Tcb self) {
        self.sliceLeftNs = self.timesliceNs;
        if (sliceOwner == self) endSlice();
        ready.rotate(self);
        p.yieldTo(self, null);
    }

    /** The events asked for a reschedule: {@code self} goes back to the ready queue. */
    void preempt(Tcb self) {
        if (p.kernel.checkedMode) ristretto.kernel.debug.Monitors.checkNoneHeld(self);
        preempted(self);
        p.yieldTo(self, null);
        if (self.pendingWork != 0) p.handlePending(self);      // (waits while it copies a string: see handlePending)
    }

    /** {@code t} is preempted: back to the ready queue (the caller gives up the CPU for it). */
    void preempted(Tcb t) {
        p.kernel.trace(Trace.PREEMPT, t, null);
        ready.enqueue(t);
    }

    // ------------------------------------------------------------------------- time events

    /**
     * Fires the due timeouts; answers whether a woken thread outranks the running one and the
     * running thread does not delay its preemption (§3.4).
     */
    boolean wakeExpired(long nowNs) {
        Tcb current = p.current;
        int prioBefore = current == null ? -1 : current.prio;
        wokenPrio = -1;
        p.wakeups.expire(nowNs / 1000, onTimeout);
        return wokenPrio > prioBefore && !delayPreemption(current, wokenPrio, nowNs);
    }

    private final java.util.function.IntConsumer onTimeout = this::timeoutExpired;

    /**
     * Delayed preemption (§3.4, sched-rr): {@code t} has the "d" flag set in its UTCB, budget
     * left, and the thread that would preempt it ({@code byPrio}) is not above its sensitive
     * priority. Then it keeps the CPU for the rest of its budget, which is used up; the kernel
     * sets "p" so that it knows, and ThreadSwitch refreshes the budget.
     */
    private boolean delayPreemption(Tcb t, int byPrio, long now) {
        if (t == null || byPrio < 0 || !t.runnable() || !t.activated() || t.delayLeftMicros <= 0 || byPrio > t.sensitivePrio) return false;
        long flags = t.word(Utcb.PREEMPT_FLAGS);
        if ((flags & Utcb.PREEMPT_D) == 0) return false;
        t.setWord(Utcb.PREEMPT_FLAGS, flags | Utcb.PREEMPT_P);
        delayedUntilNs = now + t.delayLeftMicros * 1000;
        t.delayLeftMicros = 0;
        p.machineCpu.post(EventQueue.SLICE, delayedUntilNs);
        p.kernel.trace(Trace.DELAY, t, null);
        return true;
    }

    /** Another thread runs now: a preemption deferred for the previous one is moot. */
    void switched() {
        if (delayedUntilNs != Long.MAX_VALUE) delayedUntilNs = Long.MAX_VALUE;
    }

    /** A deferred preemption is due: the running thread gives up the CPU now. */
    boolean delayExpired(long now) {
        if (now < delayedUntilNs) return false;
        delayedUntilNs = Long.MAX_VALUE;
        return true;
    }

    void timeoutExpired(int threadNo) {
        Tcb t = p.kernel.threads.slot(threadNo);
        if (t == null) return;
        t.timeoutCpu = null;
        if (Unwind.xferExpired(t)) {
            p.kernel.trace(Trace.TIMEOUT, t, null);
            return;
        }
        if (!Unwind.unwind(t, IpcError.TIMEOUT)) return;
        p.kernel.trace(Trace.TIMEOUT, t, null);
        wake(t);
        wokenPrio = Math.max(wokenPrio, t.prio);
    }

    /**
     * The running timeslice ended: round robin within the owner's priority — unless the owner
     * asked to delay its preemption and may (§3.4). A total quantum used up makes the owner send
     * its scheduler the preemption message before it next runs user code (§13.4).
     */
    boolean sliceExpired(long now) {
        if (sliceOwner == null || now < sliceEndNs) return false;
        Tcb owner = sliceOwner;
        if (owner == p.current && owner.runnable() && delayPreemption(owner, ready.highestPriority(), now)) {
            sliceEndNs = delayedUntilNs;                 // the extension, in place of a new slice
            delayedUntilNs = Long.MAX_VALUE;
            p.machineCpu.post(EventQueue.SLICE, sliceEndNs);
            return false;
        }
        owner.sliceLeftNs = owner.timesliceNs;
        if (owner.quantumLeftNs != Long.MAX_VALUE) {
            owner.quantumLeftNs = Math.max(0, owner.quantumLeftNs - owner.timesliceNs);
            if (owner.quantumLeftNs == 0 && owner.activated()) owner.pendingWork |= Tcb.PENDING_PREEMPTION_MESSAGE;
        }
        if (owner.runnable()) ready.rotate(owner); else ready.remove(owner);
        Tcb current = p.current;
        if (current != null && current != owner && current.runnable()) ready.enqueue(current);
        endSlice();
        p.kernel.trace(Trace.SLICE_END, owner, null);
        return true;
    }
}
