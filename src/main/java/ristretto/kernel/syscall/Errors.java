package ristretto.kernel.syscall;

import ristretto.abi.Utcb;
import ristretto.kernel.thread.Tcb;

/** The one way a system call other than IPC fails (§11.9): the ErrorCode TCR, then the failure result. */
final class Errors {
    private Errors() {}

    /** Sets the caller's ErrorCode to {@code error} and answers {@code result}, the call's failure value. */
    static long fail(Tcb self, int error, long result) {
        self.setWord(Utcb.ERROR_CODE, error);
        return result;
    }
}
