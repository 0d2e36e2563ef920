package ristretto.machine;

/**
 * A per-CPU software TLB: direct-mapped, 64 entries, tagged with an address-space number so
 * that switching spaces needs no flush. The entries live in one primitive array, four slots
 * each — page number, address-space number, PTE, unused — so that a lookup reads one array and
 * one cache line.
 */
public final class Tlb {
    public static final int ENTRIES = 64;
    private static final int MASK = ENTRIES - 1;
    private static final int VPN = 0, ASID = 1, PTE = 2, SLOTS = 4;
    private final long[] e = new long[ENTRIES * SLOTS];

    public Tlb() { flushAll(); }

    private static int slot(long page) { return ((int) page & MASK) * SLOTS; }

    /** The cached PTE for (asid, vpn), or 0 on a miss. */
    public long lookup(int space, long page) {
        long[] e = this.e;
        int i = slot(page);
        return e[i + VPN] == page && e[i + ASID] == space ? e[i + PTE] : 0;
    }

    public void fill(int space, long page, long entry) {
        int i = slot(page);
        e[i + VPN] = page;
        e[i + ASID] = space;
        e[i + PTE] = entry;
    }

    public void flushAll() {
        for (int i = 0; i < ENTRIES; i++) e[i * SLOTS + VPN] = -1L;
    }

    public void flushSpace(int space) {
        for (int i = 0; i < ENTRIES; i++) if (e[i * SLOTS + ASID] == space) e[i * SLOTS + VPN] = -1L;
    }

    public void flushPage(int space, long page) {
        int i = slot(page);
        if (e[i + VPN] == page && e[i + ASID] == space) e[i + VPN] = -1L;
    }

    /** Entry {@code i}'s page number, or -1 if it is empty (for checkers and dumps). */
    public long pageAt(int i) { return e[i * SLOTS + VPN]; }

    /** Entry {@code i}'s address-space number. */
    public int asidAt(int i) { return (int) e[i * SLOTS + ASID]; }

    /** Entry {@code i}'s cached PTE. */
    public long pteAt(int i) { return e[i * SLOTS + PTE]; }
}
