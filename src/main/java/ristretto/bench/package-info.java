/**
 * JMH benchmarks: Pistachio's pingpong on Ristretto ({@link ristretto.bench.PingPong}, driven one
 * batch at a time through {@link ristretto.bench.PingPongSystem}), the JVM switching mechanisms
 * it is measured against ({@link ristretto.bench.JvmPeers}), kernel data structures
 * ({@link ristretto.bench.WakeupWheelBench}), thread deletion at scale
 * ({@link ristretto.bench.ThreadDeletionBench}), and {@code ristretto bench pingpong}
 * ({@link ristretto.bench.PingPongCommand}), which runs them as one table; what yieldpoints, the
 * runtime check and class loading cost ({@link ristretto.bench.Sandbox}, {@code ristretto bench
 * sandbox}: {@link ristretto.bench.SandboxCommand}); what the memory mechanisms cost — page
 * faults, map, unmap, loads and stores ({@link ristretto.bench.Memory} on a
 * {@link ristretto.bench.MemorySystem}, {@code ristretto bench memory}:
 * {@link ristretto.bench.MemoryCommand}); what long IPC moves per second — string items of 4 KiB
 * to 4 MiB per copy strategy against {@code MemorySegment.copy} ({@link ristretto.bench.Strings}
 * on a {@link ristretto.bench.StringSystem}, {@code ristretto bench strings}:
 * {@link ristretto.bench.StringsCommand}); interrupt latency ({@link ristretto.bench.Irq} on an
 * {@link ristretto.bench.IrqSystem}, {@code ristretto bench irq}: {@link ristretto.bench.IrqCommand}).
 * The commands share {@link ristretto.bench.JmhRounds}. Besides, {@code ristretto costs}
 * ({@link ristretto.bench.CostsCommand}) prints seed 000's cost table of string copies as the
 * machine's cost model counts them, on the same system, without JMH. Results and method:
 * {@code docs/benchmarks.md}.
 *
 * <p>May depend on every layer; only the CLI depends on it.
 */
package ristretto.bench;
