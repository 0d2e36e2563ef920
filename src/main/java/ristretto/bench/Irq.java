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
 * (one step of {@link IrqSystem}), and contains, in the order the carrier runs them:
 * <ol>
 * <li>the handler's return from its receive (the continuation mounted by the kernel's dispatcher)
 *     and its first instructions: the tag and sender checked, the interrupt counted;</li>
 * <li>its acknowledgement and its next wait: one ReplyWait system call to the interrupt thread
 *     (slow path: the send acknowledges, unmasks the line and finds nothing pending; the receive
 *     finds nothing queued and blocks), and its continuation's yield to the dispatcher;</li>
 * <li>the idle CPU's event check: it polls the device, which raises its line; the kernel takes the
 *     line from the controller and masks it; the interrupt thread's message is delivered to the
 *     waiting handler, which is made ready;</li>
 * <li>the dispatcher's return to the host and the host's next run of it (one step per operation:
 *     the host stands in for the idle CPU's wait for an interrupt), and the request that makes
 *     the device raise again (a field write).</li>
 * </ol>
 * The latency proper — device raises to handler's first instruction — is items 3, 4 and 1; the
 * acknowledgement and wait (2) is inside the operation because a loop must contain it: no
 * handler can take the next interrupt without it, as no IPC server can take the next call
 * without its receive.
 *
 * <p><b>Against a one-way IPC</b> (half of {@code l4.call.cross-space.0w}, ping Calls, pong
 * ReplyWaits, on the fast path): per message a one-way IPC has one system call, one delivery
 * and one switch into the receiver — half a continuation mount-and-yield pair, since the Call
 * mounts pong on ping's stack and pong's reply yields back. An interrupt here has one system call
 * (the handler's ReplyWait, the counterpart of the sender's IPC: the interrupt thread makes
 * none), one delivery (by the kernel, at an event check rather than a system call), and a whole
 * mount-and-yield pair (the handler is mounted by the dispatcher and yields back to it, since
 * nothing else runs), plus the idle path and the host's step. So the operation contains every
 * part of a one-way IPC, each once, and in addition what only an interrupt has (an event check
 * that finds a raised line, masking, the idle loop) and the second half of the continuation pair
 * — the share of switching a handler costs that a one-way IPC leaves to the reply. The ratio
 * {@code irq.latency / (l4.call.cross-space.0w / 2)} therefore bounds what an interrupt costs
 * beyond a message from above: ≤ 1.5 means the interrupt path, that second half-pair included,
 * adds at most half a one-way IPC. The half-pair alone is about 40 ns (half of {@code
 * jvm.continuation-nested}, 79 ns in {@code docs/benchmarks.md}), some 0.7 of a one-way IPC, so
 * the goal leaves the interrupt path itself almost nothing; {@code irq.latency /
 * l4.call.cross-space.0w}, also printed, compares equal switching (one pair each). Both sides
 * cross address spaces (the handler has its own; in this loop its space is the only one that
 * runs, so the MMU is not switched — a field write in the simulation either way).
 *
 * <p>Each invocation runs {@value #BATCH} operations and checks that each raised, delivered and
 * handled exactly one interrupt (the device's raise count, the handler's count, the interrupt
 * thread waiting for the acknowledgement); scores are nanoseconds per interrupt.
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
