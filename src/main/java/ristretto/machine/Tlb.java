package ristretto.machine;

/**
 * A per-CPU software TLB: direct-mapped, 64 entries, tagged with an address-space number so
 * that switching spaces needs no flush. Entries are parallel primitive arrays.
 */
public final class Tlb {
    public static final int ENTRIES = 64;
    private static final int MASK = ENTRIES - 1;
    private final long[] vpn = new long[ENTRIES];
    private final int[] asid = new int[ENTRIES];
    private final long[] pte = new long[ENTRIES];

    public Tlb() { flushAll(); }

    /** The cached PTE for (asid, vpn), or 0 on a miss. */
    public long lookup(int space, long page) {
        int i = (int) page & MASK;
        return vpn[i] == page && asid[i] == space ? pte[i] : 0;
    }

    public void fill(int space, long page, long entry) {
        int i = (int) page & MASK;
        vpn[i] = page;
        asid[i] = space;
        pte[i] = entry;
    }

    public void flushAll() { java.util.Arrays.fill(vpn, -1L); }

    public void flushSpace(int space) {
        for (int i = 0; i < ENTRIES; i++) if (asid[i] == space) vpn[i] = -1L;
    }

    public void flushPage(int space, long page) {
        int i = (int) page & MASK;
        if (vpn[i] == page && asid[i] == space) vpn[i] = -1L;
    }

    /** Entry {@code i}'s page number, or -1 if it is empty (for checkers and dumps). */
    public long pageAt(int i) { return vpn[i]; }

    /** Entry {@code i}'s address-space number. */
    public int asidAt(int i) { return asid[i]; }

    /** Entry {@code i}'s cached PTE. */
    public long pteAt(int i) { return pte[i]; }
}
