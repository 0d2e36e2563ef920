package compute;

import java.util.function.LongUnaryOperator;
import ristretto.user.Entry;
import ristretto.user.L4;

/**
 * User code for the tests of metered computing, loaded with yieldpoints through
 * {@code ristretto.kernel.load.InstrumentingLoader}: none of it makes a system call or a memory access while it
 * computes, so only its yieldpoints can give the CPU back. Results go to arrays the test hands in.
 */
public final class Programs {
    private Programs() {}

    /** Arithmetic for ever, counting its rounds in {@code progress[startSp]}. */
    public static final class Spinner implements Entry {
        private final long[] progress;

        public Spinner(long[] progress) { this.progress = progress; }

        @Override public void run(L4 l4) {
            int i = (int) l4.startSp();
            long x = 1;
            while (true) {
                x = x * 31 + 7;
                progress[i]++;
            }
        }
    }

    /** {@code n} rounds of arithmetic, answering the result. */
    public static final class Work implements LongUnaryOperator {
        @Override public long applyAsLong(long n) {
            long x = 1;
            for (long i = 0; i < n; i++) x = x * 31 + 7;
            return x;
        }
    }

    /**
     * Recurses until the stack overflows, then computes at every depth on the way back up, catching
     * whatever is thrown, {@code rounds} times: preemptions come due at every depth, the deepest
     * included. {@code counts}: computations done, throwables caught, deepest depth, rounds finished.
     */
    public static final class EdgeComputer implements Entry {
        private final long[] counts;
        private final int rounds, work;

        public EdgeComputer(long[] counts, Integer rounds, Integer work) {
            this.counts = counts;
            this.rounds = rounds;
            this.work = work;
        }

        @Override public void run(L4 l4) {
            for (int r = 0; r < rounds; r++) {
                dive(0);
                counts[3]++;
            }
        }

        private void dive(int depth) {
            try {
                dive(depth + 1);
            } catch (StackOverflowError e) {
                counts[2] = Math.max(counts[2], depth);
            }
            try {
                counts[0]++;
                compute(work);
            } catch (Throwable t) {
                counts[1]++;
            }
        }

        private static long compute(int n) {
            long x = 1;
            for (int i = 0; i < n; i++) x = x * 31 + 7;
            return x;
        }
    }

    /** A class whose static initialiser computes for a long time: its thread cannot yield until it is done. */
    public static final class SlowInit {
        public static final long VALUE;
        static {
            long x = 1;
            for (int i = 0; i < 3_000_000; i++) x = x * 31 + 7;
            VALUE = x;
        }
    }

    /** Initialises {@link SlowInit} and records its value and the clock (µs) before and after. */
    public static final class InitToucher implements Entry {
        private final long[] out;

        public InitToucher(long[] out) { this.out = out; }

        @Override public void run(L4 l4) {
            out[0] = l4.systemClock();
            out[1] = SlowInit.VALUE;
            out[2] = l4.systemClock();
        }
    }
}
