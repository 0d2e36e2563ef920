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

    /** The thread state of a Schedule result word (§11.3), in result-value order. */
    public enum State {
        ERROR, DEAD, INACTIVE, RUNNING, PENDING_SEND, SENDING, WAITING, RECEIVING;

        /** @throws IllegalArgumentException for a word that is no result value */
        public static State of(long result) {
            if (result < 0 || result >= values().length) throw new IllegalArgumentException("not a Schedule result: " + result);
            return values()[(int) result];
        }

        /** The name X.2 uses: "pending send" and so on. */
        public String displayName() { return resultName(ordinal()); }
    }

    /**
     * TimeControl' decoded: the thread's remaining timeslice and total quantum in µs, each
     * {@link Long#MAX_VALUE} for NEVER (no limit).
     */
    public record TimeControl(long timesliceMicros, long quantumMicros) {
        public static TimeControl of(long word) {
            return new TimeControl(Timeout.periodMicros((int) (word >>> 16) & 0xFFFF), Timeout.periodMicros((int) word & 0xFFFF));
        }
    }

    public static String resultName(long r) {
        return switch ((int) r) {
            case ERROR -> "error"; case DEAD -> "dead"; case INACTIVE -> "inactive";
            case RUNNING -> "running"; case PENDING_SEND -> "pending send"; case SENDING -> "sending";
            case WAITING -> "waiting"; case RECEIVING -> "receiving"; default -> "?" + r;
        };
    }
}
