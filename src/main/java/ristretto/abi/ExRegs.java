package ristretto.abi;

/** ExchangeRegisters control bits (§10.2). */
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
}
