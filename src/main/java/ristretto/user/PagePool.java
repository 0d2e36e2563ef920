package ristretto.user;

/**
 * An allocator of the memory a pager owns: the pages of a range of its own address space,
 * handed out one at a time. Taking a page touches it — zeroing it — so it is mapped in the
 * owner's space (by the owner's pager, if it was not yet) before it is mapped on to a client;
 * a mapper can only pass on what it has.
 */
public final class PagePool {
    private static final long PAGE = 4096;
    private final long end;
    private final byte[] zeroes = new byte[(int) PAGE];
    private long next;

    /** The pages of [{@code base}, {@code base + size}), page-aligned. */
    public PagePool(long base, long size) {
        this.next = (base + PAGE - 1) & -PAGE;
        this.end = (base + size) & -PAGE;
    }

    /** Takes a page, zeroed and mapped in the caller's space: its address, or -1 when none is left. */
    public long take(L4 l4) {
        if (next >= end) return -1;
        long p = next;
        next += PAGE;
        l4.write(p, zeroes);
        return p;
    }

    /** Pages left. */
    public long left() { return (end - next) / PAGE; }
}
