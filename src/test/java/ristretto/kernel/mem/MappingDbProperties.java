package ristretto.kernel.mem;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Tlb;

/**
 * Random programs of map, grant, unmap (with and without flush) and accesses over six spaces and
 * four frames, with few page numbers so that mappings collide and overmap: the
 * {@link MappingDbChecker} invariants hold after every step, and each operation does what it
 * says — a mapping gets at most the mapper's rights at the destination, unmap leaves no revoked
 * right anywhere below the caller (nor in the caller if flushed, unless it is a root), an access
 * shows in the status bits until an unmap above it collects them.
 */
class MappingDbProperties {
    enum Kind { MAP, GRANT, UNMAP, FLUSH, ACCESS }

    /** node and space are taken modulo what exists; rights are rwx. */
    record Op(Kind kind, int node, int space, int vpn, int rights, int cpu) {}

    @Provide
    Arbitrary<List<Op>> programs() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 999),
                Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 1)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(120);
    }

    @Property(tries = 200)
    void invariantsHoldAfterEveryStep(@ForAll("programs") List<Op> program) {
        Tlb[] tlbs = { new Tlb(), new Tlb() };
        MappingDb db = new MappingDb((s, vpn) -> { for (Tlb t : tlbs) t.flushPage(s.id, vpn); });
        List<Space> spaces = new ArrayList<>();
        for (int i = 1; i <= 7; i++) spaces.add(new Space(i));
        Space sigma0 = spaces.get(0);
        for (int f = 0; f < 4; f++) db.root(f * PhysicalMemory.PAGE_SIZE, sigma0, 0x100 + f, 7);

        for (Op op : program) {
            List<MappingNode> nodes = MappingDbChecker.nodes(db);
            MappingNode n = nodes.get(op.node() % nodes.size());
            Space to = spaces.get(op.space());
            int before = n.rights();
            switch (op.kind()) {
                case MAP -> {
                    MappingNode m = db.map(n, to, op.vpn(), op.rights());
                    if (m != null) {
                        assertSame(m, to.mapping(op.vpn()));
                        assertEquals(0, m.rights() & ~n.rights(), "a mapping never exceeds its mapper's rights");
                        assertTrue(m == n || (m.rights() & op.rights() & n.rights()) == (op.rights() & n.rights()));
                    }
                }
                case GRANT -> {
                    MappingNode g = db.grant(n, to, op.vpn(), op.rights());
                    if (g != null) {
                        assertSame(g, to.mapping(op.vpn()));
                        int allowed = n.isRoot() ? before : before & op.rights(); // a root's grant maps, and may upgrade
                        assertEquals(0, g.rights() & ~allowed);
                    }
                }
                case UNMAP, FLUSH -> {
                    boolean flush = op.kind() == Kind.FLUSH;
                    db.unmap(n, op.rights(), flush);
                    if (n.live()) {
                        if (flush && !n.isRoot()) assertEquals(0, n.rights() & op.rights());
                        else assertEquals(before, n.rights());
                        for (MappingNode d : descendants(n)) assertEquals(0, d.rights() & op.rights(), "revoked below: " + d);
                        assertEquals(0, statusBelow(n), "collected and reset");
                    } else {
                        assertTrue(flush && (before & ~op.rights()) == 0);
                    }
                }
                case ACCESS -> {
                    int access = 1 << (op.rights() % 3);
                    if (MappingDbTest.touch(tlbs[op.cpu()], n.space(), n.vpn(), access)) {
                        assertEquals(access, MappingDb.status(n) & access);
                        MappingNode top = n;
                        while (top.parent() != null && op.vpn() % 2 == 0) top = top.parent();
                        if (op.vpn() < 3) assertEquals(access, db.unmap(top, 0, false) & access, "seen from above");
                    }
                }
            }
            MappingDbChecker.check(db, spaces, tlbs);
        }
    }

    private static List<MappingNode> descendants(MappingNode n) {
        List<MappingNode> out = new ArrayList<>(), todo = new ArrayList<>();
        todo.add(n);
        while (!todo.isEmpty()) {
            MappingNode m = todo.remove(todo.size() - 1);
            if (m != n) out.add(m);
            for (MappingNode c = m.firstChild(); c != null; c = c.nextSibling()) todo.add(c);
        }
        return out;
    }

    private static int statusBelow(MappingNode n) {
        int bits = MappingDb.status(n);
        for (MappingNode d : descendants(n)) bits |= MappingDb.status(d);
        return bits;
    }
}
