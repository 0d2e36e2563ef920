package ristretto.kernel;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;
import ristretto.machine.Clock;
import ristretto.machine.Cpu;
import ristretto.machine.InterruptController;

/**
 * The kernel's side of one CPU: the dispatcher loop that runs on the CPU's carrier thread, the
 * ready queues, the current timeslice, and the wakeup wheel for IPC timeouts.
 *
 * <p>L4 threads are continuations. A thread enters the kernel on its own stack; when it blocks
 * or switches it sets {@link #next} (or leaves it null to ask the scheduler) and yields to the
 * dispatcher loop, which runs the next thread. Exactly one L4 thread runs per CPU at a time and
 * only this class decides which.
 */
final class Processor {
    static final ContinuationScope SCOPE = new ContinuationScope("ristretto-l4");

    final Kernel kernel;
    final Cpu machineCpu;
    final int id;
    final Clock clock;
    final ReadyQueue ready = new ReadyQueue();
    final WakeupWheel wakeups;

    /** The space the MMU translates with now. */
    private Space mmuSpace;
    /** The thread on this CPU now, and the one the running thread asked to switch to. */
    Tcb current, next;
    /** Whose timeslice is being consumed (differs from current under donation) and its end. */
    Tcb sliceOwner;
    long sliceEndNs = Long.MAX_VALUE;
    boolean halted;
    String haltReason;
    long switches;
    private final java.util.function.IntConsumer onTimeout = this::timeoutExpired;

    Processor(Kernel kernel, Cpu machineCpu) {
        this.kernel = kernel;
        this.machineCpu = machineCpu;
        this.id = machineCpu.id();
        this.clock = machineCpu.machine().clock();
        this.wakeups = new WakeupWheel(kernel.maxThreads, 0);
    }

    // -------------------------------------------------------------------- thread-side switching

    /** Switches directly to {@code target} (which must be runnable); returns when resumed. */
    void switchTo(Tcb self, Tcb target) {
        if (!kernel.lazyScheduling) {             // eager queues hold exactly the runnable threads
            if (!self.runnable()) ready.remove(self);
            ready.enqueue(target);
        }
        next = target;
        yieldToDispatcher(self);
    }

    /** Gives up the CPU and lets the scheduler choose; returns when resumed. */
    void block(Tcb self) {
        if (!kernel.lazyScheduling) ready.remove(self);
        next = null;
        yieldToDispatcher(self);
    }

    /** Gives up the CPU while staying runnable (yield, preemption): the scheduler chooses. */
    void reschedule(Tcb self) {
        next = null;
        yieldToDispatcher(self);
    }

    private void yieldToDispatcher(Tcb self) {
        Continuation.yield(SCOPE);
    }

    /** The common exit of every blocking system call: pending work, then the IPC result. */
    long returnToUser(Tcb self) {
        if (self.pendingWork != 0) handlePending(self);
        return self.ipcResult;
    }

    /** Halt requests and new IPs take effect when the thread next returns to user level. */
    void handlePending(Tcb self) {
        while (self.pendingWork != 0) {
            if ((self.pendingWork & Tcb.PENDING_HALT) != 0) {
                self.pendingWork &= ~Tcb.PENDING_HALT;
                self.state = ThreadState.HALTED;
                block(self);
            } else if ((self.pendingWork & Tcb.PENDING_RESTART) != 0) {
                self.pendingWork &= ~Tcb.PENDING_RESTART;
                self.cont = null;                 // this stack is abandoned; start afresh at IP
                next = self;
                Continuation.yield(SCOPE);
                throw new IllegalStateException("abandoned continuation resumed: " + self);
            }
        }
    }

    /** Makes a woken thread eligible to run: it joins the ready queue (lazily: if not there). */
    void makeReady(Tcb t) {
        ready.enqueue(t);
    }

    /**
     * After a send-only IPC woke {@code dest}: the receiver preempts the sender only if its
     * priority is strictly higher (§8.9); otherwise it is queued.
     */
    void wakeAfterSend(Tcb self, Tcb dest) {
        if (dest.prio > self.prio && dest.cpu == this) {
            ready.enqueueFront(self);
            switchTo(self, dest);
        } else {
            dest.cpu.makeReady(dest);
        }
    }

    // ------------------------------------------------------------------------- the dispatcher

    /** Runs L4 threads on the calling (carrier) thread until the machine halts. */
    void run() {
        while (!halted) runUntilIdle();
    }

    /**
     * Runs L4 threads until none is runnable, then idles once: virtual time jumps to the next
     * wake-up (its thread is made ready) or the machine halts. {@link #run} is this in a loop;
     * called on its own it lets the host step the machine (see {@link Kernel#runUntilIdle}).
     */
    void runUntilIdle() {
        while (!halted) {
            Tcb t = next;
            next = null;
            if (t == null || !t.runnable() || t.cpu != this) t = choose();
            if (t == null) {
                idle();
                return;
            }
            dispatch(t);
        }
    }

    /** The scheduler: the highest-priority ready thread; it gets a fresh timeslice account. */
    private Tcb choose() {
        Tcb t = ready.highest();
        if (t != null && t != sliceOwner) {
            long now = clock.nowNs();
            if (sliceOwner != null) sliceOwner.sliceLeftNs = Math.max(0, sliceEndNs - now);
            sliceOwner = t;
            if (t.sliceLeftNs <= 0) t.sliceLeftNs = t.timesliceNs;
            sliceEndNs = now + t.sliceLeftNs;
        }
        return t;
    }

    /** Runs {@code t} until it yields, ends or fails: at top level, or nested ({@link #switchNested}). */
    private void dispatch(Tcb t) {
        becomeCurrent(t);
        if (t.cont == null) t.cont = kernel.newContinuation(t);
        t.mounted = true;
        try {
            t.cont.run();
        } catch (Throwable e) {
            kernel.userCodeFailed(t, e);
            return;
        } finally {
            t.mounted = false;
        }
        if (t.cont != null && t.cont.isDone() && current == t && next == null) {
            kernel.userCodeReturned(t);
        }
    }

    /** The CPU now runs {@code t}: the switch is counted and traced, and the MMU follows its space. */
    private void becomeCurrent(Tcb t) {
        if (current != t) {
            switches++;
            kernel.trace(Trace.SWITCH, current, t);
        }
        current = t;
        Space s = t.space;
        if (s != mmuSpace) {                         // an address-space switch only when it changes
            mmuSpace = s;
            machineCpu.setAddressSpace(s.pageTable, s.id);
        }
    }

    // ------------------------------------------------------------------- nested direct switch

    /** How deep direct switches may nest on one carrier stack (each level holds a thread's frames). */
    static final int MAX_NESTED = 8;
    private int nested;

    /**
     * Direct process switch from {@code self}, which has just blocked, to {@link #next}, run on
     * {@code self}'s stack: the receiver's continuation is mounted on top of the sender's instead
     * of the sender yielding to the dispatcher first. When the receiver next gives up the CPU —
     * typically by replying to {@code self} — control comes back here, and if {@code self} is
     * the one to run it simply continues: a Call and its reply cost one continuation mount and
     * one yield, where a switch through the dispatcher costs two of each. The same switches are
     * counted and traced as through the dispatcher.
     *
     * <p>Answers true when {@code self} is running again; false when the caller must yield to
     * the dispatcher (or to the thread it is itself nested in), because the receiver is already
     * on this stack (an ancestor), nesting is at its limit, or someone else is to run next.
     */
    boolean switchNested(Tcb self) {
        Tcb t = next;
        if (t == null || t.mounted || nested >= MAX_NESTED) return false;
        next = null;
        nested++;
        dispatch(t);
        nested--;
        if (halted || next != self || !self.runnable()) return false;
        next = null;
        becomeCurrent(self);
        return true;
    }

    // --------------------------------------------------------------------- time and interrupts

    /**
     * Called at a kernel entry or memory access when an event is due: takes timer ticks and
     * interrupts, wakes expired timeouts, and preempts the running thread if needed.
     */
    void checkEvents(Tcb self) {
        boolean resched = handleEvents();
        if (halted) {
            reschedule(self);                          // back to the dispatcher, which stops
            return;
        }
        if (resched && self.runnable()) {
            if (kernel.checkedMode) Monitors.checkNoneHeld(self);
            kernel.trace(Trace.PREEMPT, self, null);
            ready.enqueue(self);
            reschedule(self);
            if (self.pendingWork != 0) handlePending(self);
        }
    }

    /** Answers whether the running thread must give up the CPU. */
    private boolean handleEvents() {
        long now = clock.nowNs();
        if (now >= kernel.timeLimitNs) {               // the watchdog: stop a machine that never idles
            halted = true;
            haltReason = "time limit of " + kernel.timeLimitNs / 1000 + " µs reached";
            return true;
        }
        InterruptController pic = machineCpu.machine().interruptController();
        machineCpu.machine().timer().poll(now, pic);
        boolean resched = false;
        int line;
        while ((line = pic.acknowledge()) >= 0) {
            if (line == InterruptController.TIMER_LINE) resched |= timerTick(now);
            else resched |= kernel.deviceInterrupt(line);
        }
        resched |= expireTimeouts(now);
        machineCpu.nextEventNs = machineCpu.machine().timer().nextNs();
        return resched;
    }

    private boolean timerTick(long now) {
        if (sliceOwner == null || now < sliceEndNs) return false;
        Tcb owner = sliceOwner;
        owner.sliceLeftNs = owner.timesliceNs;
        if (owner.quantumLeftNs != Long.MAX_VALUE) owner.quantumLeftNs = Math.max(0, owner.quantumLeftNs - owner.timesliceNs);
        if (owner.runnable()) ready.rotate(owner); else ready.remove(owner);
        if (current != null && current != owner && current.runnable()) ready.enqueue(current);
        sliceOwner = null;
        sliceEndNs = Long.MAX_VALUE;
        kernel.trace(Trace.SLICE_END, owner, null);
        return true;
    }

    private boolean expireTimeouts(long nowNs) {
        int prioBefore = current == null ? -1 : current.prio;
        preemptBy = -1;
        wakeups.expire(nowNs / 1000, onTimeout);
        return preemptBy > prioBefore;
    }

    private int preemptBy = -1;

    private void timeoutExpired(int threadNo) {
        Tcb t = kernel.tcb(threadNo);
        if (t == null || !Ipc.unwind(t, ristretto.abi.IpcError.TIMEOUT, this)) return;
        kernel.trace(Trace.TIMEOUT, t, null);
        makeReady(t);
        preemptBy = Math.max(preemptBy, t.prio);
    }

    /** Nothing is runnable: jump virtual time to the next deadline, or halt the machine. */
    private void idle() {
        sliceOwner = null;
        sliceEndNs = Long.MAX_VALUE;
        long wakeUs = wakeups.nextDeadline();
        if (wakeUs == Long.MAX_VALUE && !kernel.expectsInterrupts()) {
            halted = true;
            haltReason = "no runnable thread and nothing left to wake";
            kernel.trace(Trace.HALT, null, null);
            return;
        }
        long target = wakeUs == Long.MAX_VALUE ? machineCpu.machine().timer().nextNs() : Math.multiplyExact(wakeUs, 1000L);
        current = null;
        clock.jumpTo(target);
        kernel.trace(Trace.IDLE, null, null);
        handleEvents();
    }
}
