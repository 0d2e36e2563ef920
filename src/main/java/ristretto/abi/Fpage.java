package ristretto.abi;

/** Flexpages (§4.1): rwx bits 0-2, log2 size in bits 4-9, base >> 10 in bits 10-63. */
public final class Fpage {
    private Fpage() {}

    public static final long NIL = 0L;
    /** The complete address space: s = 1, b = 0. */
    public static final long COMPLETE = 0x10L;
    public static final int X = 1, W = 2, R = 4, RWX = 7;
    /** Unmap control (§11.6): the flush bit {@code f}; bits 0-5 are k, the last MR holding an fpage. */
    public static final long UNMAP_FLUSH = 1L << 6;
    public static final int UNMAP_MAX_K = 63;

    public static long log2(long base, int log2Size) {
        return (base & ~0x3FFL) | ((long) (log2Size & 0x3F) << 4);
    }

    public static long log2(long base, int log2Size, int rights) { return log2(base, log2Size) | (rights & 7); }

    public static int rights(long fpage) { return (int) (fpage & 7); }

    public static int log2Size(long fpage) { return (int) ((fpage >>> 4) & 0x3F); }

    public static boolean isNil(long fpage) { return fpage == NIL; }

    public static boolean isComplete(long fpage) { return log2Size(fpage) == 1 && (fpage >>> 10) == 0; }

    /** The base address, aligned down to the fpage size (the kernel's view). */
    public static long address(long fpage) {
        int s = log2Size(fpage);
        long b = fpage & ~0x3FFL;
        return s >= 64 ? 0 : b & ~((1L << s) - 1);
    }
}
