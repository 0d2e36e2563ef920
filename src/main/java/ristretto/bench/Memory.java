package ristretto.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
import org.openjdk.jmh.annotations.Warmup;
import ristretto.system.JvmOptions;

/**
 * The memory mechanisms timed by JMH ({@code ristretto bench memory}, {@link MemoryCommand}) on a
 * booted system ({@link MemorySystem}): the page-fault round trip, map items of 1 to 1024 pages,
 * Unmap of trees of 1 to 100,000 mappings, and user loads and stores that hit the TLB — beside a
 * plain {@link MemorySegment} loop with the same access pattern ({@link #segment}).
 *
 * <p>Each invocation is one batch; what the previous batch left (pages mapped, trees revoked) is
 * put back before it in a {@code Level.Invocation} setup, outside the timed region. Scores are
 * nanoseconds per fault, per page mapped, per mapping revoked or per access.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS, JvmOptions.QUIET, JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE, JvmOptions.COLLECTOR})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Memory {

    /** One booted system per trial, in the state {@link MemorySystem#prepare()} leaves before each batch. */
    @State(Scope.Thread)
    public static class SystemState {
        /** A {@link MemorySystem#forVariant} variant. */
        @Param({"fault", "map.1", "map.64", "map.1024", "unmap.1", "unmap.1000", "unmap.100000", "load", "store"})
        public String variant;

        MemorySystem system;

        @Setup(Level.Trial)
        public void boot() { system = MemorySystem.forVariant(variant); }

        @Setup(Level.Invocation)
        public void prepare() { system.prepare(); }
    }

    /** {@value MemorySystem#FAULT_BATCH} page-fault round trips (fault, pager's map item, retried access). */
    @Benchmark
    @OperationsPerInvocation(MemorySystem.FAULT_BATCH)
    public long fault(SystemState st) { return st.system.batch(); }

    /** {@value MemorySystem#MAP_BATCH_PAGES} pages mapped by IPC, in items of the variant's size: per page. */
    @Benchmark
    @OperationsPerInvocation(MemorySystem.MAP_BATCH_PAGES)
    public long map(SystemState st) { return st.system.batch(); }

    /** {@value MemorySystem#UNMAP_BATCH} mappings revoked, in Unmap calls over trees of the variant's size: per mapping. */
    @Benchmark
    @OperationsPerInvocation(MemorySystem.UNMAP_BATCH)
    public long unmap(SystemState st) { return st.system.batch(); }

    /** {@value MemorySystem#UNMAP_SMALL_BATCH} Unmap calls, each revoking one mapping: per mapping. */
    @Benchmark
    @OperationsPerInvocation(MemorySystem.UNMAP_SMALL_BATCH)
    public long unmapSmall(SystemState st) { return st.system.batch(); }

    /** {@value MemorySystem#ACCESS_BATCH} user loads or stores that hit the TLB. */
    @Benchmark
    @OperationsPerInvocation(MemorySystem.ACCESS_BATCH)
    public long access(SystemState st) { return st.system.batch(); }

    /** The same pages' worth of native memory, and the position in the access sequence. */
    @State(Scope.Thread)
    public static class SegmentState {
        /** {@code load} or {@code store}. */
        @Param({"load", "store"})
        public String variant;

        MemorySegment segment;
        boolean store;
        long x = 1;
        int wordMask;

        @Setup(Level.Trial)
        public void allocate() {
            store = switch (variant) {
                case "load" -> false;
                case "store" -> true;
                default -> throw new IllegalArgumentException("unknown segment variant: " + variant);
            };
            wordMask = MemorySystem.ACCESS_PAGES * (int) (MemorySystem.PAGE / 8) - 1;
            segment = Arena.ofAuto().allocate(MemorySystem.ACCESS_PAGES * MemorySystem.PAGE, MemorySystem.PAGE);
            for (int i = 0; i <= wordMask; i++) segment.set(ValueLayout.JAVA_LONG, i * 8L, i);
        }
    }

    /**
     * {@value MemorySystem#ACCESS_BATCH} loads or stores of a plain {@link MemorySegment} of
     * {@value MemorySystem#ACCESS_PAGES} pages at the word offsets of the same linear congruential
     * sequence as {@link MemorySystem#access}: what the simulated access is measured against.
     */
    @Benchmark
    @OperationsPerInvocation(MemorySystem.ACCESS_BATCH)
    public long segment(SegmentState st) {
        MemorySegment seg = st.segment;
        long x = st.x, s = 0, mask = st.wordMask;
        if (st.store) {
            for (int i = 0; i < MemorySystem.ACCESS_BATCH; i++) {
                x = x * MemorySystem.LCG_A + MemorySystem.LCG_C;
                seg.set(ValueLayout.JAVA_LONG, ((x >>> 32) & mask) << 3, x);
            }
        } else {
            for (int i = 0; i < MemorySystem.ACCESS_BATCH; i++) {
                x = x * MemorySystem.LCG_A + MemorySystem.LCG_C;
                s += seg.get(ValueLayout.JAVA_LONG, ((x >>> 32) & mask) << 3);
            }
        }
        st.x = x;
        return s + x;
    }
}
