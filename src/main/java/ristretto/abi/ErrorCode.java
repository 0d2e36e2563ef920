package ristretto.abi;

/** ErrorCode TCR values of the non-IPC system calls (§11.9). */
public final class ErrorCode {
    private ErrorCode() {}

    public static final int OK = 0;
    public static final int NO_PRIVILEGE = 1;
    public static final int INVALID_THREAD = 2;
    public static final int INVALID_SPACE = 3;
    public static final int INVALID_SCHEDULER = 4;
    public static final int INVALID_PARAMETER = 5;
    public static final int UTCB_AREA = 6;
    public static final int KIP_AREA = 7;
    public static final int OUT_OF_MEMORY = 8;

    public static String name(long code) {
        return switch ((int) code) {
            case OK -> "ok";
            case NO_PRIVILEGE -> "no privilege";
            case INVALID_THREAD -> "invalid thread";
            case INVALID_SPACE -> "invalid space";
            case INVALID_SCHEDULER -> "invalid scheduler";
            case INVALID_PARAMETER -> "invalid parameter";
            case UTCB_AREA -> "invalid UTCB area";
            case KIP_AREA -> "invalid KIP area";
            case OUT_OF_MEMORY -> "out of memory";
            default -> "error " + code;
        };
    }
}
