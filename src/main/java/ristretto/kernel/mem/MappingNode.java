package ristretto.kernel.mem;

import ristretto.machine.PhysicalMemory;

/**
 * One mapping of one 4 KiB page: the physical frame {@link #frame()} appears in {@link #space()}
 * at virtual page {@link #vpn()} with rights rwx (R = 4, W = 2, X = 1, as in an fpage). A larger
 * fpage becomes a run of page nodes. The node is a vertex of its frame's tree in the
 * {@link MappingDb}: its parent is the mapping it was mapped from (null for the root, sigma0's
 * mapping of the frame), and its children form an intrusive doubly linked sibling list, so a
 * mapping costs one small object and no collection.
 *
 * <p>Layout (64-bit JVM, compressed references): 12-byte header, five references (space, parent,
 * first child, next and previous sibling), the page number as a {@code long}, the frame number as
 * an {@code int} (frames up to 8 TiB of physical memory) and two bytes for rights and status —
 * 46 bytes, 48 with alignment; plus one slot of the space's page-number map (16-24 bytes).
 *
 * <p>{@link #status()} keeps the referenced/written/executed bits (as rwx) that accesses through
 * this mapping set, folded in from the page-table entry whenever the database rewrites it; the
 * entry holds the bits set since. Unmap collects and resets both.
 */
public final class MappingNode {
    /** The space this mapping is in; null once the mapping has been removed. */
    Space space;
    long vpn;
    private final int pfn;
    byte rights, status;
    MappingNode parent, firstChild, nextSibling, prevSibling;

    MappingNode(Space space, long vpn, long frame, int rights) {
        this.space = space;
        this.vpn = vpn;
        this.pfn = (int) (frame >>> PhysicalMemory.PAGE_BITS);
        this.rights = (byte) rights;
    }

    public Space space() { return space; }

    public long vpn() { return vpn; }

    /** Physical address of the frame. */
    public long frame() { return (long) pfn << PhysicalMemory.PAGE_BITS; }

    int pfn() { return pfn; }

    public int rights() { return rights; }

    /** Status bits folded into the node (those still in its page-table entry come on top). */
    public int status() { return status; }

    /** Sets status bits, as accesses through the mapping do. */
    void markStatus(int bits) { status |= (byte) (bits & MappingDb.RWX); }

    public MappingNode parent() { return parent; }

    public MappingNode firstChild() { return firstChild; }

    public MappingNode nextSibling() { return nextSibling; }

    public boolean isRoot() { return parent == null; }

    /** Still in the database (not removed by unmap, flush or an overmapping). */
    public boolean live() { return space != null; }

    @Override public String toString() {
        return (space == null ? "removed" : space + ":0x" + Long.toHexString(vpn)) + "->frame 0x"
                + Long.toHexString(frame()) + " " + MappingDb.rightsName(rights);
    }
}
