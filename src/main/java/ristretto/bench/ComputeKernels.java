package ristretto.bench;

import java.util.function.LongUnaryOperator;

/**
 * The compute kernels of {@code ristretto bench sandbox} ({@link Sandbox}): user code that never
 * enters the kernel, loaded once with yieldpoints and once without, so that their ratio is what
 * metering costs. One operation is one call of {@link LongUnaryOperator#applyAsLong}; its argument
 * and result keep the JIT from folding the work away.
 */
public final class ComputeKernels {
    private ComputeKernels() {}

    /** A dependent chain of 1,000 multiply-adds: the worst case, a yieldpoint every few instructions. */
    public static final class TightLoop implements LongUnaryOperator {
        @Override public long applyAsLong(long seed) {
            long x = seed;
            for (int i = 0; i < 1000; i++) x = x * 31 + 7;
            return x;
        }
    }

    /** The sum of 1,024 longs: a loop the JIT unrolls and vectorises, if the yieldpoint lets it. */
    public static final class ArraySum implements LongUnaryOperator {
        private final long[] data = new long[1024];

        public ArraySum() {
            for (int i = 0; i < data.length; i++) data[i] = i * 2654435761L;
        }

        @Override public long applyAsLong(long seed) {
            long s = seed;
            for (long v : data) s += v;
            return s;
        }
    }

    /** fib(15) by naive recursion: 1,973 calls, a method-entry yieldpoint each. */
    public static final class Recursion implements LongUnaryOperator {
        @Override public long applyAsLong(long seed) { return fib(15) + seed; }

        private static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
    }
}
