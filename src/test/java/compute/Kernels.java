package compute;

/**
 * Compute kernels for {@code ristretto.kernel.load.YieldpointsTest}: each is run from a class loaded with yieldpoints
 * and from one loaded without, and must compute the same. Between them they have every shape of
 * control flow javac emits around loops.
 */
public final class Kernels {
    private Kernels() {}

    /** A table built by the static initialiser, which is instrumented too. */
    static final long[] SQUARES = new long[64];
    static {
        for (int i = 0; i < SQUARES.length; i++) SQUARES[i] = (long) i * i;
    }

    public static long tightLoop(int n) {
        long x = 1;
        for (int i = 0; i < n; i++) x = x * 31 + 7;
        return x;
    }

    public static long arraySum(long[] a) {
        long s = 0;
        for (long v : a) s += v;
        return s;
    }

    public static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

    public static long nestedLoops(int n) {
        long s = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) s += (long) i * j ^ SQUARES[j & 63];
        return s;
    }

    /** A do-while and a while with break and continue. */
    public static long whileLoops(int n) {
        long s = 0;
        int i = 0;
        do { s += i; } while (++i < n);
        while (true) {
            if (--i < 0) break;
            if ((i & 1) == 0) continue;
            s -= i;
        }
        return s;
    }

    /** Exceptions thrown and caught inside a loop. */
    public static long tryCatchInLoop(int n) {
        long s = 0;
        for (int i = 1; i <= n; i++) {
            try {
                s += 1000 / (i % 7);
            } catch (ArithmeticException e) {
                s -= i;
            } finally {
                s++;
            }
        }
        return s;
    }

    /** A switch in a loop. */
    public static long switchLoop(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            switch (i % 5) {
                case 0 -> s += 3;
                case 1 -> s *= 2;
                case 2 -> s -= i;
                case 3 -> s ^= i;
                default -> s = s >>> 1;
            }
        }
        return s;
    }

    /** A loop in a constructor before {@code super()} (flexible constructor bodies, JDK 25). */
    public static long earlyConstructor(int n) { return new Early(n).value; }

    static final class Early {
        final long value;

        Early(int n) {
            long s = 0;
            for (int i = 0; i < n; i++) s += i;
            value = s;
            super();
        }
    }

    /** A lambda whose body (a method of this class) has the loop. */
    public static long lambdaLoop(int n) {
        java.util.function.IntToLongFunction f = k -> {
            long s = 0;
            for (int i = 0; i < k; i++) s += i * 3L;
            return s;
        };
        return f.applyAsLong(n);
    }

    /** A class whose initialiser throws. */
    public static final class FailingInit {
        public static final long VALUE;
        static {
            long s = 0;
            for (int i = 0; i < 100; i++) s += i;
            if (s > 0) throw new IllegalStateException("initialiser fails");
            VALUE = s;
        }
    }

    public static long failingInit(int n) { return FailingInit.VALUE + n; }
}
