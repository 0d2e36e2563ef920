package ristretto.kernel.time;

import ristretto.abi.Timeout;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;

/**
 * IPC timeouts (§6): turning a 16-bit timeout into a deadline on a CPU's wakeup wheel, and
 * cancelling it on the wheel that holds it (which need not be the thread's current CPU).
 */
public final class Timeouts {
    private Timeouts() {}

    /**
     * The effective timeout: a time point that has already passed is the zero timeout (X.2: the
     * operation fails at once), every other value is itself.
     */
    public static int effective(int timeout, long nowMicros) {
        if (Timeout.isPoint(timeout) && Timeout.pointDeadlineMicros(timeout, nowMicros) <= nowMicros) return Timeout.ZERO;
        return timeout;
    }

    /** Arms the wakeup for an IPC timeout (a period or a future point) on {@code t}'s CPU; NEVER arms nothing. */
    public static void arm(Tcb t, int timeout) {
        if (timeout == Timeout.NEVER) return;
        Processor p = t.cpu;
        long nowUs = p.clock.nowMicros();
        long deadline = Timeout.isPoint(timeout) ? Timeout.pointDeadlineMicros(timeout, nowUs)
                : nowUs + Timeout.periodMicros(timeout);
        if (deadline < 0) deadline = Long.MAX_VALUE / 2;         // a period beyond the clock's range
        cancel(t);
        p.wakeups.schedule(t.threadNo, deadline);
        t.timeoutCpu = p;
        p.timeoutArmed(deadline);
    }

    /**
     * Cancels {@code t}'s timeout on the wheel that holds it, if one is armed. The CPU's next event
     * check stays where it is: if this was the earliest deadline, that check finds nothing due and
     * recomputes (recomputing here could cost a scan of the wheel's first slot per cancel).
     */
    public static void cancel(Tcb t) {
        Processor p = t.timeoutCpu;
        if (p == null) return;
        if (holdsXfer(t)) return;                // the slot is the xfer timeout's until the transfer ends
        p.wakeups.cancel(t.threadNo);
        t.timeoutCpu = null;
    }

    public static boolean armed(Tcb t) { return t.timeoutCpu != null; }

    /**
     * Arms the xfer timeout of the string transfer {@code s} sends (§6.4) for {@code deadlineMicros}
     * in {@code s}'s own timeout slot, which its nested page-fault IPCs (never timeouts) leave alone:
     * until {@link #cancelXfer}, {@link #cancel} does not touch it.
     */
    public static void armXfer(Tcb s, long deadlineMicros) {
        Processor p = s.cpu;
        p.wakeups.schedule(s.threadNo, deadlineMicros);
        s.timeoutCpu = p;
        p.timeoutArmed(deadlineMicros);
    }

    /** The transfer {@code s} sends ended: its xfer timeout, if armed, is cancelled. */
    public static void cancelXfer(Tcb s) {
        if (!holdsXfer(s)) return;
        s.xfer.deadlineMicros = Long.MAX_VALUE;
        cancel(s);
    }

    /** Whether {@code t}'s timeout slot holds the xfer timeout of a transfer it sends. */
    public static boolean holdsXfer(Tcb t) {
        return t.xfer != null && t.xfer.sender == t && t.xfer.deadlineMicros != Long.MAX_VALUE;
    }
}
