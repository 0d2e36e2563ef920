package ristretto.kernel.mem;

import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * The mapping database (seed 001 "Mapping"): per physical frame, a tree of who mapped the frame
 * to whom. The root is sigma0's mapping of the frame ({@link #root}); {@link #map} adds a child,
 * {@link #grant} moves a node with its subtree, {@link #unmap} revokes rights from everything
 * derived from a mapping (X.2 §11.6). Every change rewrites the page-table entry of the space it
 * touches and invalidates that page's TLB entries on every CPU ({@link PageFlush}).
 *
 * <p>Invariants (checked by the test-only {@code MappingDbChecker}): a node's rights are a
 * non-empty subset of its parent's; every node lies in the tree of its frame's root; a space's
 * page-number map names exactly the nodes in that space, and its page table holds, for each, a
 * valid entry with the node's frame and rights; no TLB holds an entry its page table no longer
 * agrees with.
 *
 * <p>Mapping over an existing mapping at the destination (X.2 §4, as Pistachio does): if the old
 * mapping is a child of the mapper (same frame, same parent) it is upgraded — its rights become
 * the union of old and new, still within the mapper's; otherwise the old mapping is first removed
 * with its subtree, as an unmap with flush would. Upgrading in place keeps what was derived from
 * the mapping; replacing it would flush the receiver's own clients for a mere rights extension.
 * An overmapping that would remove the mapper itself (the old mapping is the mapper or one of
 * its ancestors) or a root is refused: the source must not vanish under the operation.
 *
 * <p>Roots are sigma0's idempotent ownership of physical memory: they are never removed or
 * moved. Flushing a root revokes only what derives from it, and granting from a root maps.
 *
 * <p>All walks are iterative over the parent/child/sibling links, never recursive on the Java
 * stack, and cost time proportional to the nodes they touch.
 */
public final class MappingDb {
    static final int RWX = 7;

    /** Invalidates every CPU's TLB entry for one page of a space (e.g. {@code Kernel::flushTlbPage}). */
    public interface PageFlush { void flushPage(Space s, long vpn); }

    private final PageFlush flush;
    /** The root node of each frame's tree, by frame number. */
    final LongMap<MappingNode> roots = new LongMap<>();

    public MappingDb(PageFlush flush) { this.flush = flush; }

    /**
     * Makes {@code space} (sigma0's) the owner of {@code frame}, mapped at {@code vpn}: the root
     * of the frame's tree. Idempotent for the same placement; a frame has one owner.
     */
    public MappingNode root(long frame, Space space, long vpn, int rights) {
        MappingNode probe = new MappingNode(space, vpn, frame, rights & RWX);
        MappingNode existing = roots.get(probe.pfn());
        if (existing != null) {
            if (existing.space == space && existing.vpn == vpn) return existing;
            throw new IllegalArgumentException("frame 0x" + Long.toHexString(frame) + " already owned: " + existing);
        }
        if ((rights & RWX) == 0) throw new IllegalArgumentException("a root needs rights");
        if (space.mappings.get(vpn) != null) throw new IllegalArgumentException("page already mapped: " + space.mappings.get(vpn));
        roots.put(probe.pfn(), probe);
        space.mappings.put(vpn, probe);
        writePte(probe);
        return probe;
    }

    /** The root of {@code frame}'s tree, or null if the frame is not in the database. */
    public MappingNode rootOf(long frame) { return roots.get(frame >>> PhysicalMemory.PAGE_BITS); }

    /**
     * Maps {@code from}'s frame into {@code to} at {@code vpn} with {@code from.rights & rights}
     * (a mapper never extends its own rights). Answers the new or upgraded mapping, or null when
     * nothing was mapped (no rights left, a removed source, or a refused overmapping).
     */
    public MappingNode map(MappingNode from, Space to, long vpn, int rights) {
        int r = from.rights & rights & RWX;
        if (r == 0 || from.space == null) return null;
        MappingNode old = to.mappings.get(vpn);
        if (old != null) {
            if (old == from) return from;
            if (old.parent == from) {
                if ((old.rights | r) != old.rights) {
                    old.rights |= (byte) r;
                    writePte(old);
                }
                return old;
            }
            if (!removable(old, from)) return null;
            revoke(old, RWX, true, false);
        }
        MappingNode n = new MappingNode(to, vpn, from.frame(), r);
        n.parent = from;
        n.nextSibling = from.firstChild;
        if (from.firstChild != null) from.firstChild.prevSibling = n;
        from.firstChild = n;
        to.mappings.put(vpn, n);
        writePte(n);
        return n;
    }

    /**
     * Grants {@code from} to {@code to} at {@code vpn}: the node and its subtree move there with
     * rights {@code from.rights & rights} (what the subtree held beyond that is revoked), and the
     * sender loses the page. A mapping already at the destination is removed first (a grant never
     * upgrades). Answers the moved node, or null when nothing was granted. Granting a root maps.
     */
    public MappingNode grant(MappingNode from, Space to, long vpn, int rights) {
        if (from.parent == null) return map(from, to, vpn, rights);
        int r = from.rights & rights & RWX;
        if (r == 0 || from.space == null) return null;
        MappingNode old = to.mappings.get(vpn);
        if (old != null && old != from) {
            if (!removable(old, from)) return null;
            revoke(old, RWX, true, false);
        }
        if (r != from.rights) revoke(from, from.rights & ~r, true, false);
        if (old == from) return from;
        Space src = from.space;
        long pte = src.pageTable.lookup(from.vpn);
        from.status |= (byte) Pte.status(pte);
        src.pageTable.set(from.vpn, 0);
        src.mappings.remove(from.vpn);
        flush.flushPage(src, from.vpn);
        from.space = to;
        from.vpn = vpn;
        to.mappings.put(vpn, from);
        writePte(from);
        return from;
    }

    /**
     * Unmap (X.2 §11.6) of one page: revokes {@code rights} from every mapping derived from
     * {@code node}, and from {@code node} itself if {@code flush} (never from a root). A mapping
     * left without rights is removed, with its subtree (whose rights are a subset of its own, so
     * they are left with none too). Answers the referenced/written/executed bits (as rwx) of
     * {@code node} and every mapping derived from it since the last unmap, and resets them.
     */
    public int unmap(MappingNode node, int rights, boolean flush) {
        if (node.space == null) return 0;
        return revoke(node, rights & RWX, flush && node.parent != null, true);
    }

    /** The status bits of one mapping without resetting them: the node's plus its entry's. */
    public static int status(MappingNode n) {
        return n.space == null ? n.status : n.status | (int) Pte.status(n.space.pageTable.lookup(n.vpn));
    }

    /**
     * The walk behind unmap, overmapping and grant: post-order over {@code top}'s subtree, so
     * that every node is visited after its children and a node left without rights has none
     * left below it and can be unlinked on the spot. Answers the status bits seen; resets them
     * if {@code reset}, else keeps them in the surviving nodes.
     */
    private int revoke(MappingNode top, int mask, boolean includeTop, boolean reset) {
        int seen = 0;
        MappingNode n = leftmostLeaf(top);
        while (true) {
            MappingNode next = n == top ? null : n.nextSibling != null ? leftmostLeaf(n.nextSibling) : n.parent;
            Space s = n.space;
            long pte = s.pageTable.lookup(n.vpn);
            int bits = n.status | (int) Pte.status(pte);
            seen |= bits;
            int left = n != top || includeTop ? n.rights & ~mask : n.rights;
            if (left == 0) {
                if (n.firstChild != null) throw new IllegalStateException("child with more rights than its parent: " + n.firstChild);
                remove(n);
            } else if (left != n.rights || (reset && Pte.status(pte) != 0)) {
                n.rights = (byte) left;
                n.status = (byte) (reset ? 0 : bits);
                s.pageTable.set(n.vpn, Pte.make(n.frame(), left));
                flush.flushPage(s, n.vpn);
            } else if (reset) {
                n.status = 0;
            }
            if (n == top) return seen;
            n = next;
        }
    }

    /** Unlinks a childless, non-root node from its parent, its space and its page table. */
    private void remove(MappingNode n) {
        MappingNode p = n.parent;
        if (n.prevSibling != null) n.prevSibling.nextSibling = n.nextSibling;
        else p.firstChild = n.nextSibling;
        if (n.nextSibling != null) n.nextSibling.prevSibling = n.prevSibling;
        n.space.mappings.remove(n.vpn);
        n.space.pageTable.set(n.vpn, 0);
        flush.flushPage(n.space, n.vpn);
        n.space = null;
        n.parent = n.nextSibling = n.prevSibling = null;
    }

    /** An existing mapping may be replaced by one derived from {@code from}: not a root, not {@code from} or above it. */
    private static boolean removable(MappingNode old, MappingNode from) {
        if (old.parent == null) return false;
        if (old.pfn() != from.pfn()) return true;
        for (MappingNode a = from; a != null; a = a.parent) if (a == old) return false;
        return true;
    }

    private static MappingNode leftmostLeaf(MappingNode n) {
        while (n.firstChild != null) n = n.firstChild;
        return n;
    }

    /** Installs the node's frame and rights in its space's page table, keeping its status bits in the node. */
    private void writePte(MappingNode n) {
        long old = n.space.pageTable.lookup(n.vpn);
        n.status |= (byte) Pte.status(old);
        n.space.pageTable.set(n.vpn, Pte.make(n.frame(), n.rights));
        if (old != 0) flush.flushPage(n.space, n.vpn);
    }

    static String rightsName(int rwx) {
        return ((rwx & 4) != 0 ? "r" : "-") + ((rwx & 2) != 0 ? "w" : "-") + ((rwx & 1) != 0 ? "x" : "-");
    }
}
