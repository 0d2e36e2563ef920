package ristretto.abi;

/**
 * The UTCB layout (§3.2, amd64 flavour): 1024-byte blocks aligned to 1024, MR0 at byte 512.
 * A thread's local ID is the user-virtual address of its MR0. Offsets below are byte offsets
 * from the start of the UTCB block.
 */
public final class Utcb {
    private Utcb() {}

    public static final int SIZE = 1024;
    public static final int LOG2_ALIGN = 10;
    /** Byte offset of MR0 from the UTCB start; the local ID is UtcbLocation + this. */
    public static final int MR0_OFFSET = 512;
    public static final int MR_COUNT = 64;
    public static final int BR_COUNT = 33;

    /** Byte offset of the word at MR0-relative word index {@code word}. */
    public static int word(int word) { return MR0_OFFSET + 8 * word; }

    public static int mr(int i) { return MR0_OFFSET + 8 * i; }

    public static int br(int i) { return word(-16 - i); }

    public static final int WORD_SIZE_MASK = word(-1);
    public static final int THREAD_WORD0 = word(-4);
    public static final int THREAD_WORD1 = word(-5);
    /** VirtualSender (written by the user before a propagated send) / ActualSender (on receipt). */
    public static final int VIRTUAL_SENDER = word(-6);
    public static final int INTENDED_RECEIVER = word(-7);
    public static final int XFER_TIMEOUTS = word(-8);
    public static final int ERROR_CODE = word(-9);
    public static final int PREEMPT_FLAGS = word(-10);
    public static final int EXCEPTION_HANDLER = word(-11);
    public static final int PAGER = word(-12);
    public static final int USER_DEFINED_HANDLE = word(-13);
    public static final int PROCESSOR_NO = word(-14);
    public static final int MY_GLOBAL_ID = word(-15);

    /** Preemption flags (word -10): s bit 5, d bit 6, p bit 7. */
    public static final long PREEMPT_S = 1 << 5, PREEMPT_D = 1 << 6, PREEMPT_P = 1 << 7;
}
