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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import ristretto.system.JvmOptions;

/**
 * Long IPC timed by JMH ({@code ristretto bench strings}, {@link StringsCommand}): string items of
 * 4 KiB, 64 KiB, 1 MiB and 4 MiB sent between two spaces of a booted system ({@link
 * StringSystem}), one system per copy strategy and size — beside {@link MemorySegment#copy} of the
 * same number of bytes between two off-heap segments of that size ({@link #segment4k} ...).
 *
 * <p>Each invocation moves {@value #BATCH_BYTES} bytes: {@code BATCH_BYTES / size} messages (or
 * segment copies) of one size, so the scores are nanoseconds per message delivered (or per
 * copy), and a size has its own benchmark method for its {@link OperationsPerInvocation}. A
 * state's variant names the size too; a method run with a variant of another size refuses. Both
 * sides repeat the same buffers, as a server answering the same client does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS, JvmOptions.QUIET, JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE, JvmOptions.COLLECTOR})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Strings {

    /** Bytes per invocation, whatever the size of one message. */
    public static final int BATCH_BYTES = 8 << 20;
    static final int K4 = 4 << 10, K64 = 64 << 10, M1 = 1 << 20, M4 = 4 << 20;

    /** One booted system per trial, sending strings of the variant's strategy and size. */
    @State(Scope.Thread)
    public static class SystemState {
        /** {@code STRATEGY.SIZE}: a {@link StringSystem#forVariant} variant. */
        @Param({"copyinout.4k", "copyinout.64k", "copyinout.1m", "copyinout.4m", "tempmap.4k", "tempmap.64k", "tempmap.1m", "tempmap.4m"})
        public String variant;

        StringSystem system;

        @Setup(Level.Trial)
        public void boot() {
            system = StringSystem.forVariant(variant, BATCH_BYTES);
            system.batch();                                   // the first round (it would fault if anything were unmapped)
        }

        @TearDown(Level.Trial)
        public void release() { system = null; }

        long batch(int size) {
            if (system.size() != size) throw new IllegalStateException("variant " + variant + " in the benchmark of size " + size);
            return system.batch();
        }
    }

    /** {@code BATCH_BYTES / 4 KiB} messages of a 4 KiB string: per message. */
    @Benchmark
    @OperationsPerInvocation(BATCH_BYTES / K4)
    public long string4k(SystemState st) { return st.batch(K4); }

    /** {@code BATCH_BYTES / 64 KiB} messages of a 64 KiB string: per message. */
    @Benchmark
    @OperationsPerInvocation(BATCH_BYTES / K64)
    public long string64k(SystemState st) { return st.batch(K64); }

    /** {@code BATCH_BYTES / 1 MiB} messages of a 1 MiB string: per message. */
    @Benchmark
    @OperationsPerInvocation(BATCH_BYTES / M1)
    public long string1m(SystemState st) { return st.batch(M1); }

    /** {@code BATCH_BYTES / 4 MiB} messages of a 4 MiB string: per message. */
    @Benchmark
    @OperationsPerInvocation(BATCH_BYTES / M4)
    public long string4m(SystemState st) { return st.batch(M4); }

    /** A source and a destination segment of the variant's size, off-heap, page-aligned. */
    @State(Scope.Thread)
    public static class SegmentState {
        /** {@code 4k}, {@code 64k}, {@code 1m} or {@code 4m}. */
        @Param({"4k", "64k", "1m", "4m"})
        public String variant;

        Arena arena;
        MemorySegment src, dst;

        @Setup(Level.Trial)
        public void allocate() {
            long size = StringSystem.parseSize(variant);
            arena = Arena.ofShared();
            src = arena.allocate(size, 4096);
            dst = arena.allocate(size, 4096);
            for (long i = 0; i < size; i++) src.set(ValueLayout.JAVA_BYTE, i, StringSystem.pattern(i));
        }

        @TearDown(Level.Trial)
        public void free() { arena.close(); }

        /** {@code BATCH_BYTES / size} copies of the whole source onto the destination; answers a byte of it. */
        long copies(int size) {
            if (src.byteSize() != size) throw new IllegalStateException("variant " + variant + " in the benchmark of size " + size);
            for (int i = BATCH_BYTES / size; i > 0; i--) MemorySegment.copy(src, 0, dst, 0, size);
            return dst.get(ValueLayout.JAVA_BYTE, size - 1);
        }
    }

    /** {@code BATCH_BYTES / 4 KiB} copies of 4 KiB between two segments: per copy. */
    @Benchmark
    @OperationsPerInvocation(BATCH_BYTES / K4)
    public long segment4k(SegmentState st) { return st.copies(K4); }

    /** {@code BATCH_BYTES / 64 KiB} copies of 64 KiB: per copy. */
    @Benchmark
    @OperationsPerInvocation(BATCH_BYTES / K64)
    public long segment64k(SegmentState st) { return st.copies(K64); }

    /** {@code BATCH_BYTES / 1 MiB} copies of 1 MiB: per copy. */
    @Benchmark
    @OperationsPerInvocation(BATCH_BYTES / M1)
    public long segment1m(SegmentState st) { return st.copies(M1); }

    /** {@code BATCH_BYTES / 4 MiB} copies of 4 MiB: per copy. */
    @Benchmark
    @OperationsPerInvocation(BATCH_BYTES / M4)
    public long segment4m(SegmentState st) { return st.copies(M4); }
}
