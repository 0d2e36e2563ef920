package ristretto.kernel.mem;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;
import ristretto.machine.Tlb;

/**
 * The mapping database on its own: spaces with their page tables and two TLBs standing for two
 * CPUs, an access emulated as the MMU does it (status bits into the entry, the entry into the
 * TLB), and the invariant checker after every operation.
 */
class MappingDbTest {
    static final int R = 4, W = 2, X = 1, RW = 6, RX = 5, RWX = 7;
    static final long PAGE = PhysicalMemory.PAGE_SIZE;

    final Tlb cpu0 = new Tlb(), cpu1 = new Tlb();
    final MappingDb db = new MappingDb((s, vpn) -> { cpu0.flushPage(s.id, vpn); cpu1.flushPage(s.id, vpn); });
    final List<Space> spaces = new ArrayList<>();
    final Space sigma0 = space();

    Space space() {
        Space s = new Space(spaces.size() + 1);
        spaces.add(s);
        return s;
    }

    void check() { MappingDbChecker.check(db, spaces, cpu0, cpu1); }

    /** An access through the MMU of {@code tlb}: true if the page table allows it; marks status and fills the TLB. */
    static boolean touch(Tlb tlb, Space s, long vpn, int access) {
        long pte = s.pageTable.lookup(vpn);
        if (!Pte.valid(pte) || (Pte.rights(pte) & access) != access) return false;
        pte |= (long) access << Pte.STATUS_SHIFT;
        s.pageTable.set(vpn, pte);
        tlb.fill(s.id, vpn, pte);
        return true;
    }

    @Test
    void mapRestrictsRightsToTheMappers() {
        Space a = space(), b = space();
        MappingNode root = db.root(5 * PAGE, sigma0, 5, RWX);
        MappingNode na = db.map(root, a, 0x100, RW);
        assertEquals(RW, na.rights());
        MappingNode nb = db.map(na, b, 0x200, RWX);
        assertEquals(RW, nb.rights(), "a mapper never extends its own rights");
        assertSame(na, nb.parent());
        assertNull(db.map(na, b, 0x201, X), "no rights in common: nothing mapped");
        assertNull(b.mapping(0x201));
        assertEquals(Pte.make(5 * PAGE, RW), b.pageTable.lookup(0x200));
        assertSame(root, db.root(5 * PAGE, sigma0, 5, RWX), "ownership is idempotent");
        assertThrows(IllegalArgumentException.class, () -> db.root(5 * PAGE, a, 9, RWX));
        check();
    }

    @Test
    void grantMovesTheSubtreeAndLeavesTheSender() {
        Space a = space(), b = space(), c = space(), d = space();
        MappingNode root = db.root(7 * PAGE, sigma0, 7, RWX);
        MappingNode na = db.map(root, a, 1, RWX);
        MappingNode nb = db.map(na, b, 2, RWX);
        MappingNode nc = db.map(nb, c, 3, RW);
        assertTrue(touch(cpu0, b, 2, W));
        assertTrue(touch(cpu1, c, 3, W));
        check();

        assertSame(nb, db.grant(nb, d, 4, RW));
        assertNull(b.mapping(2));
        assertEquals(0, b.pageTable.lookup(2));
        assertEquals(0, cpu0.lookup(b.id, 2), "the sender's TLB entry is gone");
        assertSame(nb, d.mapping(4));
        assertEquals(RW, nb.rights());
        assertSame(na, nb.parent(), "the granted node keeps its place in the tree");
        assertSame(nb, nc.parent());
        assertEquals(RW, nc.rights());
        assertTrue(touch(cpu1, c, 3, W), "the granted subtree is untouched");
        check();

        db.grant(nb, a, 9, R);
        assertEquals(R, nb.rights());
        assertEquals(R, nc.rights(), "what the subtree held beyond the granted rights is revoked");
        assertEquals(0, cpu1.lookup(c.id, 3));
        assertEquals(W, db.unmap(nb, 0, false) & W, "status bits from before the grant survive it");
        check();
    }

    @Test
    void unmapRevokesRecursivelyThroughFourSpacesDeep() {
        Space a = space(), b = space(), c = space(), d = space(), e = space(), f = space();
        MappingNode root = db.root(3 * PAGE, sigma0, 3, RWX);
        MappingNode na = db.map(root, a, 10, RWX);
        MappingNode nb = db.map(na, b, 11, RW);
        MappingNode nc = db.map(nb, c, 12, RW);
        MappingNode nd = db.map(nc, d, 13, RW);
        MappingNode ne = db.map(nd, e, 14, RW);
        MappingNode nf = db.map(nb, f, 15, R);
        for (MappingNode n : List.of(nc, nd, ne)) assertTrue(touch(cpu0, n.space(), n.vpn(), W));
        check();

        db.unmap(nb, W, false);
        assertEquals(RW, nb.rights(), "without flush the caller keeps its rights");
        for (MappingNode n : List.of(nc, nd, ne, nf)) {
            assertTrue(n.live());
            assertEquals(R, n.rights(), "descendants lose W only and keep R: " + n);
            assertFalse(touch(cpu0, n.space(), n.vpn(), W));
            assertTrue(touch(cpu0, n.space(), n.vpn(), R));
        }
        check();

        db.unmap(nb, W, true);
        assertEquals(R, nb.rights());
        check();

        db.unmap(nc, R, false);
        assertTrue(nc.live());
        assertFalse(nd.live());
        assertFalse(ne.live());
        assertNull(e.mapping(14));
        assertEquals(0, e.pageTable.lookup(14));
        check();

        db.unmap(na, RWX, true);
        for (MappingNode n : List.of(na, nb, nc, nf)) assertFalse(n.live());
        assertTrue(root.live());
        assertNull(root.firstChild());
        db.unmap(root, RWX, true);
        assertTrue(root.live(), "a root (sigma0's ownership) is never flushed");
        check();
    }

    @Test
    void aChain400DeepIsUnmappedInOneCall() {
        Space[] s = new Space[8];
        for (int i = 0; i < s.length; i++) s[i] = space();
        MappingNode root = db.root(PAGE, sigma0, 1, RWX);
        MappingNode n = root;
        List<MappingNode> chain = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            n = db.map(n, s[i % s.length], 0x1000 + i, RWX);
            chain.add(n);
        }
        assertTrue(touch(cpu0, n.space(), n.vpn(), X));
        check();
        assertEquals(X, db.unmap(chain.get(0), RWX, true));
        for (MappingNode m : chain) assertFalse(m.live());
        for (Space sp : s) assertEquals(0, sp.pageTable.mappedPages());
        check();
    }

    @Test
    void aFanOutOf5000IsUnmappedInOneCall() {
        Space a = space();
        Space[] s = new Space[5];
        for (int i = 0; i < s.length; i++) s[i] = space();
        MappingNode root = db.root(2 * PAGE, sigma0, 2, RWX);
        MappingNode na = db.map(root, a, 2, RWX);
        for (int i = 0; i < 5000; i++) assertNotNull(db.map(na, s[i % s.length], 0x4000 + i, RW));
        assertTrue(touch(cpu1, s[3], 0x4000 + 3, R));
        check();
        assertEquals(R, db.unmap(na, RWX, false));
        assertNull(na.firstChild());
        for (Space sp : s) assertEquals(0, sp.mappingCount());
        assertTrue(na.live());
        check();
    }

    @Test
    void statusBitsAreCollectedThroughTheTreeAndReset() {
        Space a = space(), b = space(), c = space();
        MappingNode root = db.root(9 * PAGE, sigma0, 9, RWX);
        MappingNode na = db.map(root, a, 1, RWX);
        MappingNode nb = db.map(na, b, 1, RWX);
        MappingNode nc = db.map(na, c, 1, RX);
        assertTrue(touch(cpu0, b, 1, R));
        assertTrue(touch(cpu0, b, 1, W));
        assertTrue(touch(cpu1, c, 1, X));
        nb.markStatus(R);
        assertEquals(RW, MappingDb.status(nb));
        check();

        assertEquals(RWX, db.unmap(na, 0, false), "read, write and execute below A");
        assertEquals(0, db.unmap(na, 0, false), "reset by the first unmap");
        assertEquals(0, MappingDb.status(nb));
        assertEquals(0, cpu0.lookup(b.id, 1), "a reset entry leaves the TLB, so the next access marks it again");
        assertTrue(touch(cpu0, b, 1, W));
        assertEquals(W, db.unmap(nb, 0, false));
        assertEquals(0, db.unmap(nc, 0, false));
        assertTrue(touch(cpu0, a, 1, R));
        assertEquals(R, db.unmap(na, W, true), "the caller's own accesses count");
        assertEquals(R | X, na.rights());
        check();
    }

    @Test
    void mappingOverAnExistingMapping() {
        Space a = space(), b = space(), c = space(), m = space();
        MappingNode r1 = db.root(1 * PAGE, sigma0, 1, RWX), r2 = db.root(2 * PAGE, sigma0, 2, RWX);
        MappingNode na = db.map(r1, a, 5, RWX);
        MappingNode nb = db.map(na, b, 6, R);
        MappingNode nc = db.map(nb, c, 7, R);
        assertTrue(touch(cpu0, b, 6, R));

        assertSame(nb, db.map(na, b, 6, W), "same mapper, same frame: upgraded in place");
        assertEquals(RW, nb.rights());
        assertSame(nc, nb.firstChild(), "the upgrade keeps what derives from the mapping");
        assertEquals(0, cpu0.lookup(b.id, 6), "the upgraded entry is refetched");
        check();

        MappingNode nm = db.map(r1, m, 1, RWX);
        MappingNode nb2 = db.map(nm, b, 6, R);
        assertNotSame(nb, nb2, "same frame, another mapper: the old mapping is replaced");
        assertFalse(nb.live());
        assertFalse(nc.live(), "... with its subtree, as a flush");
        assertSame(nm, nb2.parent());
        check();

        MappingNode nb3 = db.map(r2, b, 6, RW);
        assertFalse(nb2.live(), "another frame: replaced");
        assertEquals(Pte.make(2 * PAGE, RW), b.pageTable.lookup(6));
        check();

        MappingNode deep = db.map(db.map(na, c, 8, RWX), m, 9, RWX);
        assertNull(db.map(deep, a, 5, R), "overmapping an ancestor of the mapper is refused");
        assertTrue(na.live());
        assertNull(db.map(nb3, sigma0, 1, R), "a root is never overmapped");
        assertSame(deep, db.map(deep, m, 9, R), "mapping a page onto itself changes nothing");
        check();
    }
}
