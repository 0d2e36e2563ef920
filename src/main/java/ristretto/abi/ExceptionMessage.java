package ristretto.abi;

/**
 * Ristretto's architecture-specific exception message (X.2 §13.2, label −5, {@link
 * MsgTag#LABEL_ARCH_EXCEPTION}): the kernel makes the faulting thread Call its ExceptionHandler
 * ({@link Utcb#EXCEPTION_HANDLER}) with u = 5 —
 * <ul>
 * <li>MR1 the thread's IP (the entry point it started at), MR2 its SP,
 * <li>MR3 the kind ({@link #TRAP}, {@link #MISALIGNED}, {@link #JAVA_EXCEPTION}, {@link
 *     #STACK_OVERFLOW}); for a misaligned access also the access (rwx) in bits 8-10 and its size
 *     in bytes in bits 16-23,
 * <li>MR4 the detail: the trap code, the misaligned address, or 0,
 * <li>MR5 the thread's flags word (as ExchangeRegisters reads it).
 * </ul>
 * The reply resumes the thread if its label is 0 and u ≥ 2: MR1 the IP and MR2 the SP to
 * resume at ({@link #resume}). After a trap, the old IP means "go on after the trap"; any other
 * IP (and any IP after the other kinds) starts the thread afresh there with the new SP. Any
 * other reply, or a failed IPC, leaves the thread stopped with a report; ExchangeRegisters can
 * resume it as any stopped thread. The thread's own registers (MRs, BR0, …) are saved around the
 * call and are as they were afterwards.
 */
public final class ExceptionMessage {
    private ExceptionMessage() {}

    /** The kinds in MR3's low byte. */
    public static final int TRAP = 1, MISALIGNED = 2, JAVA_EXCEPTION = 3, STACK_OVERFLOW = 4;

    /** Words of the message (u). */
    public static final int WORDS = 5;

    /** The MR3 kind of a word. */
    public static int kind(long mr3) { return (int) (mr3 & 0xFF); }

    /** A misaligned access's rwx, from MR3. */
    public static long access(long mr3) { return (mr3 >>> 8) & 7; }

    /** A misaligned access's size in bytes, from MR3. */
    public static int size(long mr3) { return (int) ((mr3 >>> 16) & 0xFF); }

    /** The reply's tag that resumes the thread at MR1 (IP) and MR2 (SP). */
    public static long resume() { return MsgTag.make(0, 2, 0); }

    /** Whether a reply tag resumes the thread. */
    public static boolean resumes(long tag) { return MsgTag.label(tag) == 0 && MsgTag.u(tag) >= 2 && !MsgTag.isError(tag); }

    /** The kind's name, for reports. */
    public static String kindName(int kind) {
        return switch (kind) {
            case TRAP -> "trap";
            case MISALIGNED -> "misaligned access";
            case JAVA_EXCEPTION -> "Java exception";
            case STACK_OVERFLOW -> "stack overflow";
            default -> "exception " + kind;
        };
    }
}
