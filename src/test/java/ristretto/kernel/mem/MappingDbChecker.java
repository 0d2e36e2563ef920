package ristretto.kernel.mem;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import ristretto.kernel.Kernel;
import ristretto.machine.Pte;
import ristretto.machine.Tlb;

/**
 * Test-only check of the {@link MappingDb} invariants, over spaces whose page tables hold
 * database mappings only: every node's rights are a non-empty subset of its parent's and its
 * frame its root's; parent and sibling links agree; every node is reached from exactly one root
 * (no node in two places, none unreachable); each space's page-number map names exactly the
 * nodes in that space, and its page table holds a valid entry with each node's frame and rights
 * and no other entry; no TLB holds an entry its space's page table disagrees with.
 *
 * <p>{@link #check(Kernel)} checks a booted kernel's database, whose spaces also hold entries the
 * database does not know (KIP, code image, UTCBs, sigma0's 1:1 pages): there a page table may
 * hold more entries than mappings.
 */
public final class MappingDbChecker {
    private MappingDbChecker() {}

    /** Throws {@link AssertionError} listing every violated invariant of the kernel's database, over the spaces of its live threads. */
    public static void check(Kernel k) {
        Set<Space> spaces = Collections.newSetFromMap(new IdentityHashMap<>());
        k.threads.forEach(t -> { if (t.space != null) spaces.add(t.space); });
        Tlb[] tlbs = new Tlb[k.processors.length];
        for (int i = 0; i < tlbs.length; i++) tlbs[i] = k.processors[i].machineCpu.tlb();
        check(k.mappings, new ArrayList<>(spaces), false, tlbs);
    }

    /** Throws {@link AssertionError} listing every violated invariant. */
    static void check(MappingDb db, List<Space> spaces, Tlb... tlbs) { check(db, spaces, true, tlbs); }

    /** As above; {@code exclusive}: the page tables hold database mappings only. */
    private static void check(MappingDb db, List<Space> spaces, boolean exclusive, Tlb... tlbs) {
        List<String> errors = new ArrayList<>();
        Set<MappingNode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        db.roots.forEach((pfn, root) -> {
            if (root.parent != null) errors.add("root with a parent: " + root);
            if (root.pfn() != pfn) errors.add("root filed under the wrong frame: " + root);
            ArrayDeque<MappingNode> todo = new ArrayDeque<>();
            todo.push(root);
            while (!todo.isEmpty()) {
                MappingNode n = todo.pop();
                if (!seen.add(n)) { errors.add("node reached twice: " + n); continue; }
                checkNode(n, root, errors);
                MappingNode prev = null;
                for (MappingNode c = n.firstChild; c != null; prev = c, c = c.nextSibling) {
                    if (c.parent != n) errors.add("child " + c + " does not name its parent " + n);
                    if (c.prevSibling != prev) errors.add("broken sibling link at " + c);
                    todo.push(c);
                }
            }
        });
        for (Space s : spaces) {
            s.mappings.forEach((vpn, n) -> {
                if (!seen.contains(n)) errors.add(s + ": 0x" + Long.toHexString(vpn) + " names a node in no tree: " + n);
                if (n.space != s || n.vpn != vpn) errors.add(s + ": 0x" + Long.toHexString(vpn) + " names a node placed elsewhere: " + n);
            });
            if (exclusive ? s.pageTable.mappedPages() != s.mappings.size() : s.pageTable.mappedPages() < s.mappings.size())
                errors.add(s + ": page table has " + s.pageTable.mappedPages() + " entries for " + s.mappings.size() + " mappings");
        }
        for (Tlb tlb : tlbs) {
            for (int i = 0; i < Tlb.ENTRIES; i++) {
                if (tlb.pageAt(i) == -1) continue;
                Space s = byId(spaces, tlb.asidAt(i));
                if (s == null) continue;
                long pte = s.pageTable.lookup(tlb.pageAt(i)), cached = tlb.pteAt(i);
                if (!Pte.valid(pte) || Pte.frame(pte) != Pte.frame(cached) || Pte.rights(pte) != Pte.rights(cached))
                    errors.add("stale TLB entry " + s + ":0x" + Long.toHexString(tlb.pageAt(i)));
            }
        }
        if (!errors.isEmpty()) throw new AssertionError(errors.size() + " invariant violations:\n" + String.join("\n", errors.subList(0, Math.min(20, errors.size()))));
    }

    private static void checkNode(MappingNode n, MappingNode root, List<String> errors) {
        if (n.space == null) { errors.add("removed node still linked: " + n); return; }
        if (n.rights == 0 || (n.rights & ~MappingDb.RWX) != 0) errors.add("bad rights: " + n);
        if (n.parent != null && (n.rights & ~n.parent.rights) != 0) errors.add("rights beyond the parent's: " + n + " under " + n.parent);
        if (n.pfn() != root.pfn()) errors.add("node of another frame in the tree: " + n);
        if (n.space.mappings.get(n.vpn) != n) errors.add("space map does not name " + n);
        long pte = n.space.pageTable.lookup(n.vpn);
        if (!Pte.valid(pte) || Pte.frame(pte) != n.frame() || Pte.rights(pte) != n.rights)
            errors.add("page table disagrees with " + n + ": pte 0x" + Long.toHexString(pte));
    }

    private static Space byId(List<Space> spaces, int id) {
        for (Space s : spaces) if (s.id == id) return s;
        return null;
    }

    /** All nodes reachable from the roots, in no particular order. */
    static List<MappingNode> nodes(MappingDb db) {
        List<MappingNode> all = new ArrayList<>();
        db.roots.forEach((pfn, root) -> {
            ArrayDeque<MappingNode> todo = new ArrayDeque<>();
            todo.push(root);
            while (!todo.isEmpty()) {
                MappingNode n = todo.pop();
                all.add(n);
                for (MappingNode c = n.firstChild; c != null; c = c.nextSibling) todo.push(c);
            }
        });
        return all;
    }
}
