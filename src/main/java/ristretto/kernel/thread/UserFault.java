package ristretto.kernel.thread;

/**
 * A deliberate refusal of something user code did that the kernel cannot express as an X.2
 * error (a held monitor at a kernel entry, another thread's UserCpu). It stops the offending
 * thread; any other exception thrown from kernel code is reported as a kernel bug.
 */
public final class UserFault extends RuntimeException {
    public UserFault(String message) { super(message, null, false, false); }
}
