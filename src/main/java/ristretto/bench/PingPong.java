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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import ristretto.system.JvmOptions;

/**
 * Pistachio's pingpong on Ristretto (l4-x2.md §15): the IPC round trip — a Call answered by a
 * ReplyWait, {@code u} untyped words each way — timed by JMH through the whole kernel: system-call
 * entry, fast or slow path, the continuation switch (nested on the caller's stack or through the
 * dispatcher), the message copy.
 *
 * <p>Each invocation runs one batch of {@value #BATCH} round trips on a booted system
 * ({@link PingPongSystem}): the benchmark thread is the simulated CPU's carrier and runs the kernel
 * dispatcher until the client has done its batch and the machine idles. Scores are therefore
 * nanoseconds per round trip ({@link OperationsPerInvocation}). {@link #call} covers the layouts,
 * message sizes and kernel ablations named by {@code variant}; {@link #threadSwitch} is one
 * A&rarr;B&rarr;A thread switch pair through the dispatcher (ThreadSwitch donation), to be read
 * beside {@link JvmPeers#continuationPingpong}, the bare continuation ping-pong.
 *
 * <p>Run all pingpong cases with the JVM peers, as one table: {@code ./ristretto bench pingpong}
 * ({@link PingPongCommand}). Directly:
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED \
 *      -cp target/classes:$(cat target/runtime-classpath.txt) org.openjdk.jmh.Main PingPong -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS, JvmOptions.QUIET, JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE, JvmOptions.COLLECTOR})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PingPong {

    /** Round trips per benchmark invocation. */
    public static final int BATCH = 10_000;

    @State(Scope.Thread)
    public static class CallState {
        /**
         * {@code same-space|cross-space}, {@code .Nw} untyped words each way, and optionally one
         * kernel optimization switched off: {@code .slowpath} (no IPC fast path), {@code .nolazy}
         * (eager ready queues), {@code .nodirect} (no direct switch: the receiver is queued and
         * the scheduler picks it); or {@code .checked}, with the runtime check that stays on in
         * {@code run} and {@code demo} (the carrier watch).
         */
        @Param({"same-space.0w", "same-space.0w.checked", "same-space.8w", "cross-space.0w", "cross-space.8w", "cross-space.63w",
                "cross-space.0w.slowpath", "cross-space.0w.nolazy", "cross-space.0w.nodirect"})
        public String variant;

        PingPongSystem system;

        @Setup(Level.Trial)
        public void boot() {
            system = PingPongSystem.forVariant(variant, BATCH);
        }

        @TearDown(Level.Trial)
        public void release() {
            system.close();
            system = null;
        }
    }

    /** {@value #BATCH} Call/ReplyWait round trips between ping and pong. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long call(CallState st) {
        return st.system.batch();
    }

    @State(Scope.Thread)
    public static class ThreadSwitchState {
        PingPongSystem system;

        @Setup(Level.Trial)
        public void boot() {
            system = PingPongSystem.forVariant("threadswitch", BATCH);
        }

        @TearDown(Level.Trial)
        public void release() {
            system = null;
        }
    }

    /** {@value #BATCH} round trips A&rarr;B&rarr;A, each thread donating the CPU with ThreadSwitch(other). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long threadSwitch(ThreadSwitchState st) {
        return st.system.batch();
    }
}
