package ristretto.kernel.thread;

/**
 * Thread states (§9.1). Bit 0 set means blocked: the dispatcher never runs such a thread.
 * A transfer with strings adds two: the receiver running its tunneled page fault, and the
 * sender waiting for it (§9.4).
 */
public final class ThreadState {
    private ThreadState() {}

    public static final int RUNNING = 0;
    /** Sender side of a handshake: the sender copies the message in its own context. */
    public static final int LOCKED_RUNNING = 2;
    public static final int POLLING = 1;           // blocked in a send phase, queued at the destination
    public static final int WAITING_FOREVER = 3;   // blocked in a receive phase, no timeout
    public static final int WAITING_TIMEOUT = 5;   // blocked in a receive phase, deadline armed
    public static final int LOCKED_WAITING = 7;    // receiver side of a handshake
    /** The receiver of a string transfer, made to run its page-fault IPC for its buffer (tunneled). */
    public static final int LOCKED_RUNNING_NESTED = 4;
    /** The sender of a string transfer, waiting while its receiver resolves a fault in its buffer. */
    public static final int WAITING_TUNNELED = 13;
    /** An interrupt thread whose message was delivered, waiting for its handler's acknowledgement (§13.3). */
    public static final int WAITING_ACK = 15;
    public static final int HALTED = 9;            // stopped by ExchangeRegisters, or its code ended
    public static final int ABORTED = 11;          // exists but never activated, or being deleted

    public static boolean isBlocked(int s) { return (s & 1) != 0; }

    public static boolean isWaiting(int s) { return s == WAITING_FOREVER || s == WAITING_TIMEOUT; }

    public static String name(int s) {
        return switch (s) {
            case RUNNING -> "running"; case LOCKED_RUNNING -> "locked_running"; case POLLING -> "polling";
            case WAITING_FOREVER -> "waiting_forever"; case WAITING_TIMEOUT -> "waiting_timeout";
            case LOCKED_WAITING -> "locked_waiting"; case LOCKED_RUNNING_NESTED -> "locked_running_nested";
            case WAITING_TUNNELED -> "waiting_tunneled_pf"; case WAITING_ACK -> "waiting_ack"; case HALTED -> "halted"; case ABORTED -> "aborted";
            default -> "state" + s;
        };
    }
}
