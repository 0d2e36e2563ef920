package ristretto.abi;

/** The message tag in MR0 (§2): u bits 0-5, t bits 6-11, flags bits 12-15, label bits 16-63. */
public final class MsgTag {
    private MsgTag() {}

    public static final long FLAG_PROPAGATED = 1L << 12;
    public static final long FLAG_REDIRECTED = 1L << 13;
    public static final long FLAG_XCPU = 1L << 14;
    public static final long FLAG_ERROR = 1L << 15;
    /** Bits the kernel clears on delivery: r, X and E (p is kept). */
    public static final long RECEIVE_FLAGS = FLAG_REDIRECTED | FLAG_XCPU | FLAG_ERROR;

    /** Labels of kernel protocols (§2.2), 48-bit two's complement of (n << 4). */
    public static final long LABEL_INTERRUPT = protocolLabel(-1);
    public static final long LABEL_PAGEFAULT = protocolLabel(-2);
    public static final long LABEL_PREEMPTION = protocolLabel(-3);
    public static final long LABEL_EXCEPTION = protocolLabel(-4);
    public static final long LABEL_ARCH_EXCEPTION = protocolLabel(-5);
    public static final long LABEL_SIGMA0 = protocolLabel(-6);

    /** The tag with only the error bit, as returned for failed IPC with no message (§8.7). */
    public static final long ERROR_TAG = FLAG_ERROR;

    public static long protocolLabel(int n) { return ((long) n << 4) & 0xFFFF_FFFF_FFFFL; }

    public static long make(long label, int u, int t) {
        return (label << 16) | ((long) (t & 0x3F) << 6) | (u & 0x3F);
    }

    public static long make(long label, int u, int t, int flags) {
        return make(label, u, t) | ((long) (flags & 0xF) << 12);
    }

    public static int u(long tag) { return (int) (tag & 0x3F); }

    public static int t(long tag) { return (int) ((tag >>> 6) & 0x3F); }

    public static int flags(long tag) { return (int) ((tag >>> 12) & 0xF); }

    public static long label(long tag) { return tag >>> 16; }

    public static boolean isError(long tag) { return (tag & FLAG_ERROR) != 0; }

    public static boolean isPropagated(long tag) { return (tag & FLAG_PROPAGATED) != 0; }

    public static boolean isRedirected(long tag) { return (tag & FLAG_REDIRECTED) != 0; }

    public static long withLabel(long tag, long label) { return (tag & 0xFFFF) | (label << 16); }

    public static String toString(long tag) {
        return "tag{label=0x" + Long.toHexString(label(tag)) + " u=" + u(tag) + " t=" + t(tag)
                + " flags=" + Integer.toBinaryString(flags(tag)) + "}";
    }
}
