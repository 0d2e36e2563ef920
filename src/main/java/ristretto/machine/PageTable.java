package ristretto.machine;

/**
 * One address space's page table: a four-level radix tree over 48-bit virtual addresses with
 * 512-entry levels (like x86-64), interior levels as {@code Object[]}, leaves as {@code long[]}
 * of {@link Pte} words. Addresses outside the 48-bit range are never mapped.
 */
public final class PageTable {
    public static final int VA_BITS = 48;
    public static final long VA_LIMIT = 1L << VA_BITS;
    private static final int LEVEL_BITS = 9, FANOUT = 1 << LEVEL_BITS, MASK = FANOUT - 1;

    private final Object[] root = new Object[FANOUT];
    private long mappedPages;

    /** The PTE for virtual page number {@code vpn}, or 0 if none. */
    public long lookup(long vpn) {
        if ((vpn >>> (VA_BITS - PhysicalMemory.PAGE_BITS)) != 0) return 0;
        Object[] l3 = (Object[]) root[(int) (vpn >>> 27) & MASK];
        if (l3 == null) return 0;
        Object[] l2 = (Object[]) l3[(int) (vpn >>> 18) & MASK];
        if (l2 == null) return 0;
        long[] leaf = (long[]) l2[(int) (vpn >>> 9) & MASK];
        return leaf == null ? 0 : leaf[(int) vpn & MASK];
    }

    /**
     * The leaf (last-level table, 512 entries, 2 MiB of address space) holding {@code vpn}, or
     * null if there is none yet: what a temporary-mapping window shares with this table, as a
     * page-directory entry copied from another space shares its page table (seed 001).
     */
    long[] leaf(long vpn) {
        if ((vpn >>> (VA_BITS - PhysicalMemory.PAGE_BITS)) != 0) return null;
        Object[] l3 = (Object[]) root[(int) (vpn >>> 27) & MASK];
        if (l3 == null) return null;
        Object[] l2 = (Object[]) l3[(int) (vpn >>> 18) & MASK];
        return l2 == null ? null : (long[]) l2[(int) (vpn >>> 9) & MASK];
    }

    /** Installs or replaces (pte != 0) or removes (pte == 0) the entry for {@code vpn}. */
    public void set(long vpn, long pte) {
        if ((vpn >>> (VA_BITS - PhysicalMemory.PAGE_BITS)) != 0) throw new IllegalArgumentException("vpn beyond 48 bits");
        int i3 = (int) (vpn >>> 27) & MASK, i2 = (int) (vpn >>> 18) & MASK, i1 = (int) (vpn >>> 9) & MASK;
        Object[] l3 = (Object[]) root[i3];
        if (l3 == null) { if (pte == 0) return; root[i3] = l3 = new Object[FANOUT]; }
        Object[] l2 = (Object[]) l3[i2];
        if (l2 == null) { if (pte == 0) return; l3[i2] = l2 = new Object[FANOUT]; }
        long[] leaf = (long[]) l2[i1];
        if (leaf == null) { if (pte == 0) return; l2[i1] = leaf = new long[FANOUT]; }
        long old = leaf[(int) vpn & MASK];
        if (old == 0 && pte != 0) mappedPages++;
        else if (old != 0 && pte == 0) mappedPages--;
        leaf[(int) vpn & MASK] = pte;
    }

    /**
     * ORs status bits ({@code rwx}, as accessed: the MMU's referenced/written/executed marks) into
     * {@code vpn}'s entry; answers the entry as it is now (0 if there is none).
     */
    long markStatus(long vpn, long status) {
        long pte = lookup(vpn);
        if (pte != 0 && (pte & (status << Pte.STATUS_SHIFT)) != (status << Pte.STATUS_SHIFT)) {
            pte |= status << Pte.STATUS_SHIFT;
            set(vpn, pte);
        }
        return pte;
    }

    public long mappedPages() { return mappedPages; }
}
