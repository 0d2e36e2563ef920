package ristretto.abi;

/** The ErrorCode TCR after a failed IPC (§7): offset << 4 | error << 1 | phase. */
public final class IpcError {
    private IpcError() {}

    public static final int PHASE_SEND = 0;
    public static final int PHASE_RECEIVE = 1;

    public static final int TIMEOUT = 1;
    public static final int NO_PARTNER = 2;
    public static final int CANCELED = 3;
    public static final int MSG_OVERFLOW = 4;
    public static final int XFER_TIMEOUT_CURRENT = 5;
    public static final int XFER_TIMEOUT_PARTNER = 6;
    public static final int ABORTED = 7;

    public static long encode(int phase, int error, long offset) {
        return (offset << 4) | ((long) error << 1) | phase;
    }

    public static int phase(long code) { return (int) (code & 1); }

    public static int error(long code) { return (int) ((code >>> 1) & 7); }

    public static long offset(long code) { return code >>> 4; }

    public static String name(int error) {
        return switch (error) {
            case TIMEOUT -> "timeout";
            case NO_PARTNER -> "non-existing partner";
            case CANCELED -> "canceled";
            case MSG_OVERFLOW -> "message overflow";
            case XFER_TIMEOUT_CURRENT -> "xfer timeout (current)";
            case XFER_TIMEOUT_PARTNER -> "xfer timeout (partner)";
            case ABORTED -> "aborted";
            default -> "error " + error;
        };
    }

    public static String toString(long code) {
        return (phase(code) == PHASE_SEND ? "send" : "receive") + " phase, " + name(error(code))
                + (offset(code) != 0 ? ", offset " + offset(code) : "");
    }
}
