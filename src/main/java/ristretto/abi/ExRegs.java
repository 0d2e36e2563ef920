package ristretto.abi;

import java.util.function.IntToLongFunction;

/** ExchangeRegisters control bits (§10.2) and its decoded result. */
public final class ExRegs {
    private ExRegs() {}

    public static final int HALT = 1;          // h
    public static final int CANCEL_RECV = 1 << 1;   // r
    public static final int CANCEL_SEND = 1 << 2;   // s
    public static final int SET_SP = 1 << 3;   // S
    public static final int SET_IP = 1 << 4;   // I
    public static final int SET_FLAGS = 1 << 5;   // f
    public static final int SET_HANDLE = 1 << 6;   // u
    public static final int SET_PAGER = 1 << 7;   // p
    public static final int HALT_VALID = 1 << 8;  // H
    public static final int DELIVER = 1 << 9;   // d
    /** Bits X.2 defines; anything above is reserved and refused with "invalid parameter". */
    public static final int DEFINED = (1 << 10) - 1;

    public static final int START = HALT_VALID | CANCEL_RECV | CANCEL_SEND;
    public static final int STOP = HALT | HALT_VALID | DELIVER;

    /** Bits of the returned control word. */
    public static final int WAS_HALTED = 1, WAS_RECEIVING = 2, WAS_SENDING = 4;

    /**
     * What ExchangeRegisters answered: the thread ID it returned (the other form of {@code dest},
     * or nil on failure) and the thread's old registers, from the result registers. IP comes
     * before SP, as everywhere in the user library.
     */
    public record Result(long thread, long control, long ip, long sp, long flags, long handle, long pager) {
        /** Decodes the result registers ({@link UserCpu#R_CONTROL} ...) of the call that returned {@code thread}. */
        public static Result of(long thread, IntToLongFunction reg) {
            return new Result(thread, reg.applyAsLong(UserCpu.R_CONTROL), reg.applyAsLong(UserCpu.R_IP),
                    reg.applyAsLong(UserCpu.R_SP), reg.applyAsLong(UserCpu.R_FLAGS),
                    reg.applyAsLong(UserCpu.R_HANDLE), reg.applyAsLong(UserCpu.R_PAGER));
        }

        /** The call failed (ErrorCode says why) and the registers mean nothing. */
        public boolean failed() { return thread == ThreadId.NIL; }

        /** The thread was halted (or had a halt pending). */
        public boolean halted() { return (control & WAS_HALTED) != 0; }

        /** The thread was in a receive phase. */
        public boolean receiving() { return (control & WAS_RECEIVING) != 0; }

        /** The thread was in a send phase. */
        public boolean sending() { return (control & WAS_SENDING) != 0; }
    }
}
