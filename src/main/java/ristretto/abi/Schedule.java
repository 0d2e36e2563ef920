package ristretto.abi;

/** Schedule system call words and results (§11.3). */
public final class Schedule {
    private Schedule() {}

    /** "Leave unchanged" for every Schedule parameter word. */
    public static final long UNCHANGED = -1L;

    public static final int ERROR = 0, DEAD = 1, INACTIVE = 2, RUNNING = 3,
            PENDING_SEND = 4, SENDING = 5, WAITING = 6, RECEIVING = 7;

    public static long timeControl(int timeslice, int totalQuantum) {
        return ((long) (timeslice & 0xFFFF) << 16) | (totalQuantum & 0xFFFF);
    }

    public static long preemptionControl(int sensitivePrio, int maxDelayMicros) {
        return ((long) (sensitivePrio & 0xFF) << 16) | (maxDelayMicros & 0xFFFF);
    }

    public static String resultName(long r) {
        return switch ((int) r) {
            case ERROR -> "error"; case DEAD -> "dead"; case INACTIVE -> "inactive";
            case RUNNING -> "running"; case PENDING_SEND -> "pending send"; case SENDING -> "sending";
            case WAITING -> "waiting"; case RECEIVING -> "receiving"; default -> "?" + r;
        };
    }
}
