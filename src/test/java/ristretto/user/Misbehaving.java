package ristretto.user;

/**
 * User code that fails, for kernel tests: the kernel judges an exception by its innermost
 * project frame, and a test's own lambdas live in {@code ristretto.kernel}, where an exception
 * would be reported as a kernel bug. These frames are user code's.
 */
public final class Misbehaving {
    private Misbehaving() {}

    /** {@code a / b}: an ArithmeticException when {@code b} is 0. */
    public static int divide(int a, int b) { return a / b; }

    /** Throws an IllegalStateException with {@code message}. */
    public static void fail(String message) { throw new IllegalStateException(message); }

    /** Recurses until the stack overflows. */
    public static int recurse(int n) { return recurse(n + 1) + 1; }
}
