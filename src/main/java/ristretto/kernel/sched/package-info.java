/**
 * Scheduling, one CPU at a time. {@link ristretto.kernel.sched.Processor} is the dispatcher (the
 * loop on the CPU's carrier thread, the switch mechanisms, the CPU's events);
 * {@link ristretto.kernel.sched.Scheduler} is the one place that decides who runs next;
 * {@link ristretto.kernel.sched.Meter} is the instruction meter of the yieldpoints in user code,
 * which lets a thread that computes without system calls be charged and preempted.
 *
 * <p><b>One owner per CPU.</b> A TCB's scheduling state, a ready queue, a wakeup wheel and a TLB
 * are written only by the CPU that owns them. Anything another CPU wants done to them is a request
 * posted to the owner's inbox and drained at its next event check or idle step; every wake-up goes
 * through {@code Scheduler.wake}, which does exactly that for a thread of another CPU. Timeouts are
 * cancelled on the wheel that holds them ({@code Tcb.timeoutCpu}).
 */
package ristretto.kernel.sched;
