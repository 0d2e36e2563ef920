package ristretto.kernel.sched;

import java.util.concurrent.ConcurrentLinkedQueue;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;
import ristretto.kernel.Kernel;
import ristretto.abi.IpcError;
import ristretto.abi.ThreadId;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.ipc.Unwind;
import ristretto.kernel.ipc.KernelMessage;
import ristretto.kernel.ipc.StringTransfer;
import ristretto.kernel.copy.StringCopy;
import ristretto.kernel.mem.Space;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.ThreadState;
import ristretto.kernel.time.WakeupWheel;
import ristretto.machine.Clock;
import ristretto.machine.Cpu;
import ristretto.machine.EventQueue;
import ristretto.machine.InterruptController;

/**
 * The kernel's side of one CPU: the dispatcher loop that runs on the CPU's carrier thread, the
 * mechanism of a switch (direct, nested or through the loop), the CPU's events, and the state
 * this CPU owns: its {@link Scheduler} (ready queues, timeslice) and its wakeup wheel.
 *
 * <p>L4 threads are continuations. A thread enters the kernel on its own stack; when it blocks
 * or switches, the scheduler names the next thread (or none) and the thread yields to the
 * dispatcher loop, which runs it. Which thread that is, the {@link Scheduler} alone decides.
 *
 * <p>Ownership: the scheduler, the wheel and the CPU's TLB are touched only by this CPU. Another
 * CPU that wants a thread of this one woken posts it to {@link #inbox}; this CPU drains the inbox
 * when it next looks at its events or idles.
 */
public final class Processor {
    public static final ContinuationScope SCOPE = new ContinuationScope("ristretto-l4");

    public final Kernel kernel;
    public final Cpu machineCpu;
    public final int id;
    public final Clock clock;
    public final Scheduler scheduler;
    public final WakeupWheel wakeups;
    /** How this CPU copies string items between spaces (the strategy chosen at boot). */
    public final StringCopy stringCopy;
    /** Threads of this CPU that other CPUs asked to be woken (see the class comment). */
    private final ConcurrentLinkedQueue<Tcb> inbox = new ConcurrentLinkedQueue<>();

    /** The space the MMU translates with now. */
    private Space mmuSpace;
    /** The thread on this CPU now, and the one the running thread asked to switch to. */
    public Tcb current, next;
    public boolean halted;
    public String haltReason;
    public long switches;
    /** Idles that took place on the stack of the thread that blocked and ended with it running on ({@link #idleInPlace}). */
    public long idlesInPlace;
    /**
     * For host-side watchers ({@code system.CarrierWatch}): the host thread running this CPU now
     * (null between runs), and whether it is waiting for time to pass in {@link #idle} (the real
     * clock sleeps there). Written only when a run starts or ends and around idling.
     */
    public volatile Thread carrier;
    public volatile boolean idling;

    public Processor(Kernel kernel, Cpu machineCpu) {
        this.kernel = kernel;
        this.machineCpu = machineCpu;
        this.id = machineCpu.id();
        this.clock = machineCpu.machine().clock();
        this.wakeups = new WakeupWheel(kernel.threads.capacity(), 0);
        this.scheduler = new Scheduler(this);
        this.stringCopy = StringCopy.create(kernel.options.copy(), machineCpu, kernel.phys, kernel.kernelBuffer(StringCopy.CHUNK));
        if (kernel.options.costModel()) machineCpu.setCostModel(new ristretto.machine.CostModel(ristretto.machine.CacheModel.l1()));
        Meter.install(this);
    }

    // -------------------------------------------------------------------- thread-side switching

    /**
     * Yields the running thread {@code self} so that {@code target} (or, if null, the scheduler's
     * choice) runs — a named target on this stack if it can be ({@link #switchNested}, as the fast
     * path switches), else through the dispatcher; returns when {@code self} runs again — or at once, the switch rolled back,
     * if there was no stack left to freeze {@code self} ({@link #switchFailed}).
     */
    void yieldTo(Tcb self, Tcb target) {
        next = target;
        if (target != null && kernel.directSwitch && self.mounted && switchNested(self)) return;
        if (target == null && idleInPlace(self)) return;
        try {
            Continuation.yield(SCOPE);
        } catch (StackOverflowError e) {
            switchFailed(self, e);
        }
    }

    /**
     * The kernel's deepest path does not fit on the stack {@code self} entered it on. Mounted on
     * another thread's stack (a nested switch), {@code self} moves to the bottom of the carrier's
     * stack and returns, to enter the kernel there; nothing changed. At the bottom already, it has
     * recursed too deep itself: its own StackOverflowError, thrown before the kernel changed anything.
     */
    public void noHeadroom(Tcb self) {
        if (nested > 0) {
            next = self;
            try {
                Continuation.yield(SCOPE);                 // resumed by the dispatcher, on a fresh stack
                return;
            } catch (StackOverflowError e) {
                next = null;
            }
        }
        throw new StackOverflowError("thread " + ThreadId.toString(self.globalId) + ": no stack left for a kernel entry");
    }

    /**
     * Freezing {@code self} failed for want of stack (a continuation with interpreted frames needs
     * C++ stack in proportion to its depth): {@code self} is still mounted and running. The switch
     * is rolled back so that kernel state says so: the thread that was to run is made ready, an IPC
     * that {@code self} was blocking in ends with "aborted", a thread that was runnable simply goes
     * on. A thread that was to stop (halt, fault) cannot: it is left runnable with its halt pending,
     * and the overflow is thrown at it as its own, after kernel state is whole again.
     */
    public void switchFailed(Tcb self, StackOverflowError e) {
        Tcb target = next;
        next = null;
        // A receiver that ran nested on self's stack and gave the CPU back left itself current.
        if (current != self) becomeCurrent(self);
        if (target != null && target != self && target.runnable()) scheduler.wake(target);
        boolean goesOn = self.runnable() || Unwind.unwind(self, IpcError.ABORTED);
        if (!goesOn) {
            self.state = ThreadState.RUNNING;
            self.pendingWork |= Tcb.PENDING_HALT;
        }
        kernel.trace(Trace.SWITCH_FAILED, self, target);
        if (goesOn) return;
        throw new StackOverflowError("thread " + ThreadId.toString(self.globalId)
                + " has no stack left for the kernel to stop it");
    }

    /** The common exit of every blocking system call: pending work, then the IPC result. */
    public long returnToUser(Tcb self) {
        if (self.pendingWork != 0) handlePending(self);
        return self.ipcResult;
    }

    /**
     * Halt requests and new IPs take effect when the thread next returns to user level. A
     * receiver's tunneled page fault comes first; the rest waits while the thread is in a string
     * transfer, which is in the kernel still, even between its nested page-fault IPCs.
     */
    public void handlePending(Tcb self) {
        while (self.pendingWork != 0) {
            if ((self.pendingWork & Tcb.PENDING_TUNNELED_FAULT) != 0) {
                self.pendingWork &= ~Tcb.PENDING_TUNNELED_FAULT;
                StringTransfer.tunneledFault(self, this);
            } else if (self.xfer != null) {
                return;
            } else if ((self.pendingWork & Tcb.PENDING_HALT) != 0) {
                self.pendingWork &= ~Tcb.PENDING_HALT;
                self.state = ThreadState.HALTED;
                scheduler.block(self);
            } else if ((self.pendingWork & Tcb.PENDING_RESTART) != 0) {
                self.pendingWork &= ~Tcb.PENDING_RESTART;
                Continuation abandoned = self.cont;
                self.cont = null;                 // this stack is abandoned; start afresh at IP
                next = self;
                try {
                    Continuation.yield(SCOPE);
                } catch (StackOverflowError e) {  // could not leave this stack: try again later
                    next = null;
                    self.cont = abandoned;
                    self.pendingWork |= Tcb.PENDING_RESTART;
                    throw new StackOverflowError("thread " + ThreadId.toString(self.globalId)
                            + " has no stack left to restart at its new IP");
                }
                throw new IllegalStateException("abandoned continuation resumed: " + self);
            } else if ((self.pendingWork & Tcb.PENDING_PREEMPTION_MESSAGE) != 0) {
                self.pendingWork &= ~Tcb.PENDING_PREEMPTION_MESSAGE;
                KernelMessage.preemption(self, this);
            } else {
                throw new IllegalStateException("unknown pending work " + self.pendingWork + ": " + self);
            }
        }
    }

    // ------------------------------------------------------------------------- the dispatcher

    /** Runs L4 threads on the calling (carrier) thread until the machine halts. */
    public void run() {
        while (!halted) runIdles(Long.MAX_VALUE);
    }

    /**
     * Runs L4 threads until none is runnable, then idles once: virtual time jumps to the next
     * event (a woken thread is made ready) or the machine halts. Called on its own it lets the
     * host step the machine (see {@link Kernel#runUntilIdle}).
     */
    public void runUntilIdle() { runIdles(1); }

    /**
     * How many more times this run may idle before the dispatcher returns to the host: {@link
     * #run} never returns for it, {@link #runUntilIdle} after one idle, {@link #runIdles} after n.
     */
    private long idlesLeft;

    /**
     * Runs L4 threads until the CPU has idled {@code n} times (or the machine halts): each idle
     * jumps virtual time to the next event. All but the last may happen on the stack of the
     * thread that blocked ({@link #idleInPlace}); the last is the dispatcher's, which then returns.
     */
    public void runIdles(long n) {
        Processor outer = Meter.attach(this);
        carrier = Thread.currentThread();
        idlesLeft = n;
        try {
            while (!halted && idlesLeft > 0) {
                Tcb t = next;
                next = null;
                if (yieldpointEvents) {
                    t = takeYieldpointEvents(t);
                    if (halted) return;
                }
                if (t == null || !t.runnable() || t.cpu != this) t = scheduler.choose();
                if (t == null) {
                    idle();
                    continue;
                }
                dispatch(t);
            }
        } finally {
            carrier = null;
            Meter.detach(this, outer);
        }
    }

    /**
     * Runs {@code t} until it yields, ends or fails: at top level, or nested ({@link #switchNested}).
     * A StackOverflowError from a continuation that did not end is no failure of {@code t}'s code:
     * it could not be mounted on this stack, and the error goes to the caller, which falls back on
     * the dispatcher.
     */
    private void dispatch(Tcb t) {
        becomeCurrent(t);
        if (t.cont == null) t.cont = UserCode.newContinuation(t);
        Continuation c = t.cont;
        t.mounted = true;
        try {
            c.run();
        } catch (StackOverflowError e) {
            if (!c.isDone() && nested > 0) throw e;
            UserCode.failed(t, e);
            return;
        } catch (Throwable e) {
            UserCode.failed(t, e);
            return;
        } finally {
            t.mounted = false;
        }
        if (t.cont != null && t.cont.isDone() && current == t && next == null) {
            UserCode.returned(t);
        }
    }

    /** The CPU now runs {@code t}: the switch is counted and traced, and the MMU follows its space. */
    private void becomeCurrent(Tcb t) {
        if (current != t) {
            switches++;
            machineCpu.invalidateWindow();           // the temporary-mapping window lasts until the next switch
            kernel.trace(Trace.SWITCH, current, t);
            scheduler.switched();
        }
        current = t;
        Space s = t.space;
        if (s != mmuSpace) {                         // an address-space switch only when it changes
            mmuSpace = s;
            machineCpu.setAddressSpace(s.pageTable, s.id);
        }
    }

    /** {@code t} moved to another space: if it runs here now, the MMU follows it at once. */
    public void followSpace(Tcb t) {
        if (current == t && t.space != mmuSpace) {
            mmuSpace = t.space;
            machineCpu.setAddressSpace(t.space.pageTable, t.space.id);
        }
    }

    // ------------------------------------------------------------------- nested direct switch

    /** How deep direct switches may nest on one carrier stack (each level holds a thread's frames). */
    public static final int MAX_NESTED = 8;
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
    public boolean switchNested(Tcb self) {
        Tcb t = next;
        if (t == null || t.mounted || nested >= MAX_NESTED) return false;
        // Mounting needs room for t's top stack chunk, and HotSpot crashes, not throws, without it.
        if (t.cont != null ? !StackHeadroom.canMountNested(t.cont) : !StackHeadroom.available(StackHeadroom.NESTED_MARGIN)) return false;
        next = null;
        nested++;
        try {
            dispatch(t);
        } catch (StackOverflowError e) {
            next = t;                              // not mountable on this stack: the dispatcher runs it
        } finally {
            nested--;
        }
        if (halted || next != self || !self.runnable()) return false;
        next = null;
        becomeCurrent(self);
        return true;
    }

    // --------------------------------------------------------------------- time and interrupts

    /**
     * Called at a kernel entry or memory access when an event is due: takes interrupts, wakes
     * expired timeouts, ends timeslices, and preempts the running thread if the scheduler says so.
     */
    public void checkEvents(Tcb self) {
        boolean resched = handleEvents();
        if (halted) {
            yieldTo(self, null);                        // back to the dispatcher, which stops
            return;
        }
        if (resched && self.runnable()) scheduler.preempt(self);
    }

    /** Answers whether the running thread must give up the CPU. */
    private boolean handleEvents() {
        long now = clock.nowNs();
        if (now >= kernel.timeLimitNs) {               // the watchdog: stop a machine that never idles
            halted = true;
            haltReason = "time limit of " + kernel.timeLimitNs / 1000 + " µs reached";
            return true;
        }
        drainInbox();
        InterruptController pic = machineCpu.machine().interruptController();
        machineCpu.machine().timer().poll(now, pic);
        machineCpu.post(EventQueue.TIMER, machineCpu.machine().timer().nextNs());
        if (id == 0) machineCpu.machine().pollDevices(machineCpu, now);       // CPU 0 owns the devices
        boolean resched = false;
        int line;
        while ((line = pic.acknowledge()) >= 0) {
            if (line == InterruptController.TIMER_LINE) continue;      // the kernel's own tick: its events follow
            now = clock.advance(kernel.costEntryNs);                 // taking a device interrupt is a kernel entry
            resched |= kernel.deviceInterrupt(line, this);
        }
        resched |= scheduler.wakeExpired(now);
        resched |= scheduler.sliceExpired(now);
        resched |= scheduler.delayExpired(now);
        timeoutsChanged();
        machineCpu.rearm();
        Meter.regrant(this);
        return resched;
    }

    /**
     * Set by a yieldpoint's check that found an event due: the thread has yielded to the
     * dispatcher, which takes the events ({@link #eventsFromYieldpoint}).
     */
    private boolean yieldpointEvents;

    /**
     * A yieldpoint's check found an event due ({@link Meter}): {@code self} yields to the
     * dispatcher, which takes the events on the carrier's own stack and runs {@code self} on
     * unless they preempt it; answers true when {@code self} runs again. No kernel code runs on
     * {@code self}'s stack, which may be at its edge. Answers false, nothing changed, when the
     * yield fails: no stack left to freeze {@code self}, or a native frame pins it to the carrier
     * (it is inside a class initialiser).
     */
    boolean eventsFromYieldpoint(Tcb self) {
        next = self;
        yieldpointEvents = true;
        try {
            Continuation.yield(SCOPE);
            return true;
        } catch (StackOverflowError | IllegalStateException e) {
            next = null;
            yieldpointEvents = false;
            return false;
        }
    }

    /** The dispatcher's side of {@link #eventsFromYieldpoint}: answers the thread to run, or null for the scheduler's choice. */
    private Tcb takeYieldpointEvents(Tcb t) {
        yieldpointEvents = false;
        boolean resched = handleEvents();
        if (halted || t == null) return null;
        if (resched && t.runnable()) {
            scheduler.preempted(t);
            return null;
        }
        return t;
    }

    /** A timeout was armed for {@code deadlineMicros}: the CPU looks at its events no later (O(1)). */
    public void timeoutArmed(long deadlineMicros) {
        long ns = deadlineMicros >= Long.MAX_VALUE / 1000 ? EventQueue.NONE : deadlineMicros * 1000;
        if (ns < machineCpu.events().due(EventQueue.TIMEOUTS)) machineCpu.post(EventQueue.TIMEOUTS, ns);
    }

    /** After the due timeouts fired: the CPU's timeout event is the wheel's earliest deadline again. */
    private void timeoutsChanged() {
        long us = wakeups.nextDeadline();
        machineCpu.post(EventQueue.TIMEOUTS, us == Long.MAX_VALUE ? EventQueue.NONE : Math.multiplyExact(us, 1000L));
    }

    /** Asks this CPU (from any CPU) to wake {@code t}; it does so at its next event check. */
    void postWake(Tcb t) {
        inbox.add(t);
        machineCpu.requestCheck();
    }

    private void drainInbox() {
        Tcb t;
        while ((t = inbox.poll()) != null) if (t.cpu == this) scheduler.wake(t);
    }

    /**
     * {@code self} has just blocked and nothing else is ready: rather than yield to the dispatcher
     * only to be mounted again when an event wakes it, the CPU idles on {@code self}'s stack, as
     * the dispatcher would ({@link #idle}), and if the scheduler then chooses {@code self} it
     * returns at once (true): a handler woken by an interrupt, a thread woken by its timeout, pays
     * no continuation switch. The same switch is counted and traced as through the dispatcher.
     * Answers false — the caller yields, and the dispatcher runs whom the scheduler chooses —
     * when another thread is ready, {@code self} is not at the bottom of the carrier's stack
     * (mounted nested on another thread's) or too near its edge for the idle path, the run owes
     * the host its last idle, the machine halted, or the idle woke someone else first.
     */
    private boolean idleInPlace(Tcb self) {
        if (idlesLeft <= 1 || nested > 0 || current != self || self.runnable() || yieldpointEvents) return false;
        if (scheduler.choose() != null) return false;
        // The idle path runs below the blocking call's frames: it must fit as a kernel entry's does.
        if (!StackHeadroom.kernelFits()) return false;
        idle();
        if (halted || scheduler.choose() != self) return false;
        becomeCurrent(self);
        idlesInPlace++;
        return true;
    }

    /** Nothing is runnable: jump virtual time to the next event, or halt the machine. */
    private void idle() {
        idlesLeft--;
        scheduler.idle();
        drainInbox();
        // A line unmasked with its interrupt pending (an acknowledgement just now): delivered before anything waits.
        if (machineCpu.machine().interruptController().pendingUnmasked() != 0) handleEvents();
        if (scheduler.hasReady()) return;
        long wakeUs = wakeups.nextDeadline();
        long deviceNs = id == 0 ? machineCpu.machine().nextDeviceNs() : EventQueue.NONE;
        if (wakeUs == Long.MAX_VALUE && deviceNs == EventQueue.NONE && !kernel.expectsInterrupts()) {
            halted = true;
            haltReason = "no runnable thread and nothing left to wake";
            kernel.trace(Trace.HALT, null, null);
            return;
        }
        long target = Math.min(wakeUs == Long.MAX_VALUE ? EventQueue.NONE : Math.multiplyExact(wakeUs, 1000L), deviceNs);
        current = null;
        Meter.account(this);                             // what ran is on the clock before it jumps
        idling = true;                                   // (a carrier parked here is idle, not wedged)
        try {
            if (target == EventQueue.NONE) {             // only host input can come: tick along, a tick of host time at a time
                if (clock.isVirtual()) machineCpu.awaitHost(machineCpu.machine().timer().periodNs());
                target = machineCpu.machine().timer().nextNs();
            }
            clock.jumpTo(target);
        } finally {
            idling = false;
        }
        kernel.trace(Trace.IDLE, null, null);
        handleEvents();
    }
}
