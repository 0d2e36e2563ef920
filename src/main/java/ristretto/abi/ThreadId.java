package ristretto.abi;

/**
 * X.2 thread identifiers as raw 64-bit words (§1).
 *
 * <p>Global ID: version in bits 0-31, thread number in bits 32-63. Local ID: bits 0-5 zero, it is
 * the user-virtual address of the thread's MR0. An ID whose low six bits are zero is local;
 * anything else is global, so versions that are multiples of 64 are unusable.
 */
public final class ThreadId {
    private ThreadId() {}

    /** No thread: as a destination, no send phase; as a FromSpecifier, no receive phase. */
    public static final long NIL = 0L;
    /** Open receive from any sender. */
    public static final long ANY = -1L;
    /** Receive from any sender in the caller's address space. */
    public static final long ANY_LOCAL = 0xFFFF_FFFF_FFFF_FFC0L;

    public static long global(long threadNo, long version) {
        return (threadNo << 32) | (version & 0xFFFF_FFFFL);
    }

    public static int number(long id) { return (int) (id >>> 32); }

    public static int version(long id) { return (int) id; }

    public static boolean isNil(long id) { return id == NIL; }

    public static boolean isLocal(long id) { return (id & 0x3F) == 0; }

    public static boolean isGlobal(long id) { return (id & 0x3F) != 0; }

    /** True for a version that can appear in a global ID (non-zero low six bits). */
    public static boolean isUsableVersion(long version) { return (version & 0x3F) != 0; }

    public static String toString(long id) {
        if (id == NIL) return "nilthread";
        if (id == ANY) return "anythread";
        if (id == ANY_LOCAL) return "anylocalthread";
        if (isLocal(id)) return "local:0x" + Long.toHexString(id);
        return number(id) + "." + version(id);
    }
}
