package ristretto.kernel.sched;

import ristretto.kernel.meter.MeterGate;

import jdk.internal.vm.Continuation;
import ristretto.abi.ThreadId;
import ristretto.kernel.debug.Monitors;
import ristretto.kernel.thread.Tcb;

/**
 * The instruction meter: the runtime of the yieldpoints that the program loader inserts at every
 * method entry and loop back-edge of user code ({@code kernel.load.Yieldpoints}). Each yieldpoint
 * subtracts the bytecodes of the code it closes from {@link MeterGate#budget} and calls {@link #check}
 * when the budget goes negative: a decrement and a compare on the fast path, no allocation.
 *
 * <p><b>The budget</b> is the number of bytecodes the running code may still execute before its
 * CPU must look at its events: a grant ({@link #grant}) is the bytecodes until the CPU's next
 * event, at most {@link #MAX_GRANT_NS} worth, so that the check comes at the first yieldpoint at
 * or after the event's virtual time (on the real clock, a fixed {@link #REAL_CLOCK_GRANT}).
 * {@code granted - budget} bytecodes have run since the last settlement and are not yet on the
 * clock. Three things keep the budget true:
 * <ul>
 *   <li><b>Settlement</b> ({@link #settle}): every kernel entry and memory access (the trap gate)
 *       charges the bytecodes run since the last settlement to the clock with its own cost, and
 *       takes its own cost from the budget too, so the clock is exact at every system call.</li>
 *   <li><b>Expiry</b> ({@link #expire}): whenever an event becomes earlier than the budget
 *       assumed — a timeout armed, a new timeslice, an interrupt or wake-up request — the CPU's
 *       next-event time moves earlier, and {@code machine.Cpu} tells the meter
 *       ({@code Cpu.onEarlierEvent}): that is the one place. The budget drops to 0, and the next
 *       yieldpoint checks.</li>
 *   <li><b>Regrant</b> ({@link #regrant}): after the kernel handled its events, and when a
 *       dispatcher starts, the budget is computed afresh from the clock.</li>
 * </ul>
 *
 * <p><b>The check</b> settles and, if an event is due, has the CPU take its events as at a
 * kernel entry — interrupts, timeouts, the end of the timeslice — and preempt the thread if the
 * scheduler says so. Unlike a system call it runs no kernel code on the thread's stack: the thread
 * yields to its dispatcher ({@link Processor#eventsFromYieldpoint}), which takes the events on
 * the carrier's own stack and runs the thread on unless they preempt it. A yieldpoint can be
 * anywhere — at the entry of a method at the edge of a deep recursion, inside a static
 * initialiser — and so the check needs neither a stack probe nor a rollback: until the yield, it
 * has only settled the meter (an overflow can only strike at a call, before or after a whole
 * step), and a yield that fails — no stack left to freeze the thread, or a native frame under it,
 * which pins it to the carrier — has changed nothing. Inside a class initialiser (always pinned,
 * {@link MeterGate#initialising}) the check does not yield at all. Either way the check is tried again
 * {@link #DEFERRED_GRANT} bytecodes later. A check costs one continuation yield and
 * one mount when an event is due — at most every {@link #MAX_GRANT_NS} of machine time, about
 * 0.2 µs a millisecond — and nothing more otherwise. Back on the CPU, the thread does the work
 * its return to user level owes (a halt, a new IP, a preemption message), as after a preemption
 * at a system call; and a thread whose recursion, preempted again and again, has piled more than
 * {@link StackHeadroom#MAX_FROZEN_BYTES} of frames into the heap gets a StackOverflowError there. Code that does not run as the current L4 thread of the CPU attached to this
 * host thread (a static initialiser or {@code Program.link} on the host thread, a benchmark)
 * just gets a new budget.
 *
 * <p><b>One CPU per JVM at a time.</b> The budget is one static field, which is what makes the
 * yieldpoint a single field access; the CPU whose dispatcher runs now is attached here
 * ({@link #attach}, by {@link Processor#runUntilIdle}), with the host thread it runs on. With
 * several CPUs, each on its own carrier thread, the budget becomes per-carrier state: a field of
 * the carrier thread object (the yieldpoint reads it through {@code Thread.currentThread()}, an
 * intrinsic), attached per carrier; and a request from another CPU expires the budget through a
 * flag the carrier polls, since a plain field written by another thread is not reliably seen.
 * Until then, expiry from another host thread (the CLI's wall-clock watchdog) is ignored: the
 * machine notices at the end of the current grant, within {@link #MAX_GRANT_NS} of machine time.
 *
 * <p>User code must never name this class itself: the loader's verification refuses references
 * to the kernel before yieldpoints are inserted, so only yieldpoints read and write the budget.
 */
public final class Meter {
    private Meter() {}

    /** The longest grant, in machine time: the CPU looks at its events at least this often. */
    public static final long MAX_GRANT_NS = 1_000_000;
    /** The grant on the real clock, whose events are found by reading the host's clock at a check. */
    public static final int REAL_CLOCK_GRANT = 100_000;
    /** The grant of code that runs outside any CPU: checks are then pointless but harmless. */
    public static final int UNMETERED_GRANT = 1 << 20;
    /** The grant after a check could not yield (inside a static initialiser, or no stack to freeze). */
    public static final int DEFERRED_GRANT = 100_000;
    /** How far below 0 the budget may fall between checks (uninstrumented code entering the kernel). */
    private static final int FLOOR = -(1 << 30);

    // The budget and the count of running class initialisers live in MeterGate, the one class
    // instrumented code names (see its fields); the meter alone writes them besides the yieldpoints.
    /** The budget at the last settlement or grant: {@code granted - budget} bytecodes are not on the clock yet. */
    private static int granted = UNMETERED_GRANT;
    /** The CPU whose dispatcher runs now, and the host thread it runs on; null when none does. */
    private static Processor processor;
    private static Thread carrier;

    static {
        // The slow path must never initialise a class at the edge of a stack (a failed initialiser
        // breaks its class for good); the meter is initialised with the first Processor.
        StackHeadroom.kernelFits();
        Continuation.getCurrentContinuation(Processor.SCOPE);
    }

    /** Registers the meter with a new CPU: the CPU's earlier events expire the budget. */
    static void install(Processor p) {
        p.machineCpu.onEarlierEvent(Meter::expire);
    }

    // ------------------------------------------------------------------------------ the slow path

    /** A yieldpoint's budget ran out: settle, let the CPU take due events, grant anew. */
    public static void check() {
        Processor p = processor;
        if (p == null) {
            granted = MeterGate.budget = UNMETERED_GRANT;                 // no CPU runs: nothing to meter
            return;
        }
        if (Thread.currentThread() != carrier) return;          // another host thread: see the class comment
        Tcb t = p.current;
        if (t == null || t.cont == null || Continuation.getCurrentContinuation(Processor.SCOPE) != t.cont) {
            grant(p);                                           // host code on the carrier, not an L4 thread
            return;
        }
        int b = MeterGate.budget;
        boolean due = p.machineCpu.charge((granted - b) * p.kernel.instructionNs);   // an overflow here changes nothing
        granted = b;
        if (due) {
            if (p.kernel.checkedMode && StackHeadroom.kernelFits()) Monitors.checkNoneHeld(t);
            if (MeterGate.initialising > 0 || !p.eventsFromYieldpoint(t)) {
                granted = MeterGate.budget = DEFERRED_GRANT;              // cannot yield here: try again a little later
                return;
            }
            // Back on the CPU, preempted or not: a stack grown too deep in the heap, then the work
            // the kernel left for the thread's return to user level.
            if (StackHeadroom.frozenBytes(t.cont) > StackHeadroom.MAX_FROZEN_BYTES) {
                grant(p);
                throw new StackOverflowError("thread " + ThreadId.toString(t.globalId) + ": more than "
                        + (StackHeadroom.MAX_FROZEN_BYTES >> 20) + " MiB of stack");
            }
            if (t.pendingWork != 0 && StackHeadroom.kernelFits()) p.handlePending(t);
        }
        grant(p);
    }

    // ------------------------------------------------------------------------ kernel-side accounting

    /**
     * At a kernel entry or memory access: answers the bytecodes run since the last settlement, for
     * the caller to charge to the clock with its own cost, and takes that cost ({@code costBytecodes})
     * from the budget, so that the budget still ends at the CPU's next event. Two loads, two stores.
     */
    public static long settle(int costBytecodes) {
        int b = MeterGate.budget, done = granted - b;
        b = Math.max(b - costBytecodes, FLOOR);
        granted = b;
        MeterGate.budget = b;
        return done;
    }

    /** Charges whatever ran since the last settlement to {@code p}'s clock (a thread ended, the CPU idles, a device is accessed). */
    public static void account(Processor p) {
        long done = settle(0);
        if (done != 0) p.clock.advance(done * p.kernel.instructionNs);
    }

    /** The CPU's next event moved earlier: the next yieldpoint checks. Only the attached carrier's own posts count. */
    static void expire() {
        if (Thread.currentThread() != carrier) return;
        granted -= MeterGate.budget;
        MeterGate.budget = 0;
    }

    /** {@code p} has handled its events (or starts running, or a memory access settled): a budget up to its next event. */
    public static void regrant(Processor p) {
        if (p == processor) grant(p);
    }

    private static void grant(Processor p) {
        int g = grantFor(p);
        granted = g;
        MeterGate.budget = g;
    }

    /** The bytecodes {@code p} may run before its next event: the check then comes at or after it. */
    static int grantFor(Processor p) {
        long ins = p.kernel.instructionNs;
        if (ins <= 0 || !p.clock.isVirtual()) return REAL_CLOCK_GRANT;
        long now = p.clock.nowNs(), next = p.machineCpu.nextEventNs();
        if (next <= now) return 0;
        // A check fires once more than the grant has run: at the first yieldpoint with now' >= next.
        return (int) ((Math.min(next - now, MAX_GRANT_NS) - 1) / ins);
    }

    // -------------------------------------------------------------------- which CPU runs here

    /** {@code p}'s dispatcher starts on this host thread; answers the CPU attached before (normally none). */
    static Processor attach(Processor p) {
        Processor outer = processor;
        processor = p;
        carrier = Thread.currentThread();
        grant(p);
        return outer;
    }

    /** {@code p}'s dispatcher returns to the host: what ran is on its clock, and {@code outer} is attached again. */
    static void detach(Processor p, Processor outer) {
        account(p);
        processor = outer;
        if (outer != null) grant(outer);
        else {
            carrier = null;
            granted = MeterGate.budget = UNMETERED_GRANT;
        }
    }

    /** The CPU attached to this JVM's meter now (tests). */
    static Processor attached() { return processor; }
}
