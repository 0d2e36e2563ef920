package ristretto.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import ristretto.system.JvmOptions;

/**
 * Interrupt latency timed by JMH ({@code ristretto bench irq}, {@link IrqCommand}) on a booted
 * system ({@link IrqSystem}): a device raises its line, the kernel delivers the interrupt as a
 * message from the line's interrupt thread, and a user-level handler in its own space receives it.
 *
 * <p><b>One operation</b> is one interrupt in the steady state of a handler serving a device
 * that it re-arms for the next interrupt, and contains, in the order the carrier runs them:
 * <ol>
 * <li>the handler's return from its receive and its first instructions: the tag and sender
 *     checked, the interrupt counted, the device asked for the next one (a field write);</li>
 * <li>its acknowledgement and its next wait: one ReplyWait system call to the interrupt thread
 *     (slow path: the send acknowledges, unmasks the line and finds nothing pending; the receive
 *     finds nothing queued and blocks);</li>
 * <li>the CPU's idle, which nothing else wants: on the handler's stack, where it blocked
 *     ({@code Processor.idleInPlace}); its event check polls the device, which raises its line;
 *     the kernel takes the line from the controller and masks it; the interrupt thread's message
 *     is delivered to the waiting handler, which is made ready, chosen by the scheduler and
 *     switched to — the thread that blocked, so its system call simply returns.</li>
 * </ol>
 * The latency proper — device raises to handler's first instruction — is item 3 and the return
 * of item 1; the acknowledgement and wait (2) is inside the operation because a loop must contain
 * it: no handler can take the next interrupt without it, as no IPC server can take the next call
 * without its receive. The operation is therefore an upper bound of the latency.
 *
 * <p><b>Against a one-way IPC</b> (half of {@code l4.call.cross-space.0w}, ping Calls, pong
 * ReplyWaits, on the fast path): per message a one-way IPC has one system call, one delivery
 * and one switch into the receiver — half a continuation mount-and-yield pair, since the Call
 * mounts pong on ping's stack and pong's reply yields back. An interrupt here has one system call
 * (the handler's ReplyWait, the counterpart of the sender's IPC: the interrupt thread makes
 * none), one delivery (by the kernel, at the idle CPU's event check rather than a system call)
 * and one switch into the handler, which costs no continuation switch at all: on a real kernel
 * the idle loop runs on whatever kernel stack it blocked on and returns through it, and so does
 * Ristretto's. Both sides cross address spaces (the handler has its own; in this loop its space
 * is the only one that runs, so the MMU is not switched — a field write in the simulation either
 * way). The goal, {@code irq.latency / (l4.call.cross-space.0w / 2)} ≤ 1.5, is seL4's range
 * (1.4–2.6 times its own one-way IPC).
 *
 * <p>Each invocation runs {@value #BATCH} operations as one run of the machine of that many idles
 * ({@code Ristretto.runIdles}): all but the last on the handler's stack, the last the
 * dispatcher's, which then returns to JMH (one continuation mount and yield per batch). It checks
 * that each raised, delivered and handled exactly one interrupt (the device's raise count, the
 * handler's count, the interrupt thread waiting for the acknowledgement); scores are nanoseconds
 * per interrupt.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS, JvmOptions.QUIET, JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE, JvmOptions.COLLECTOR})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Irq {

    /** Interrupts per benchmark invocation. */
    public static final int BATCH = 10_000;

    /** One booted system per trial, its first interrupt delivered. */
    @State(Scope.Thread)
    public static class SystemState {
        IrqSystem system;

        @Setup(Level.Trial)
        public void boot() { system = IrqSystem.boot(); }
    }

    /** {@value #BATCH} interrupts raised, delivered, handled, acknowledged. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long latency(SystemState st) { return st.system.interrupts(BATCH); }
}
