package ristretto.machine;

/**
 * Page-table entry layout: rights rwx in bits 0-2 (x = 1, w = 2, r = 4, as in an L4 fpage),
 * status bits referenced/written/executed in 4-6, valid in bit 8, frame address from bit 12.
 */
public final class Pte {
    private Pte() {}

    public static final long X = 1, W = 2, R = 4, RWX = 7;
    public static final long VALID = 1 << 8;
    public static final int STATUS_SHIFT = 4;

    public static long make(long frameAddr, long rights) {
        return (frameAddr & ~(PhysicalMemory.PAGE_SIZE - 1)) | VALID | (rights & RWX);
    }

    public static boolean valid(long pte) { return (pte & VALID) != 0; }

    public static long rights(long pte) { return pte & RWX; }

    public static long status(long pte) { return (pte >>> STATUS_SHIFT) & RWX; }

    public static long frame(long pte) { return pte & ~(PhysicalMemory.PAGE_SIZE - 1); }
}
