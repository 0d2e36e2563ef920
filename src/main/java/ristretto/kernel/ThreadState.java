package ristretto.kernel;

/**
 * Thread states (§9.1). Bit 0 set means blocked: the dispatcher never runs such a thread.
 * Only the states reachable without typed-item transfers exist so far.
 */
final class ThreadState {
    private ThreadState() {}

    static final int RUNNING = 0;
    /** Sender side of a handshake: the sender copies the message in its own context. */
    static final int LOCKED_RUNNING = 2;
    static final int POLLING = 1;           // blocked in a send phase, queued at the destination
    static final int WAITING_FOREVER = 3;   // blocked in a receive phase, no timeout
    static final int WAITING_TIMEOUT = 5;   // blocked in a receive phase, deadline armed
    static final int LOCKED_WAITING = 7;    // receiver side of a handshake
    static final int HALTED = 9;            // stopped by ExchangeRegisters, or its code ended
    static final int ABORTED = 11;          // exists but never activated, or being deleted

    static boolean isBlocked(int s) { return (s & 1) != 0; }

    static boolean isWaiting(int s) { return s == WAITING_FOREVER || s == WAITING_TIMEOUT; }

    static String name(int s) {
        return switch (s) {
            case RUNNING -> "running"; case LOCKED_RUNNING -> "locked_running"; case POLLING -> "polling";
            case WAITING_FOREVER -> "waiting_forever"; case WAITING_TIMEOUT -> "waiting_timeout";
            case LOCKED_WAITING -> "locked_waiting"; case HALTED -> "halted"; case ABORTED -> "aborted";
            default -> "state" + s;
        };
    }
}
