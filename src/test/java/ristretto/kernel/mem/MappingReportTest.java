package ristretto.kernel.mem;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.ThreadId;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Tlb;

/**
 * The report on the mapping database: a tree sigma0 → A → B → C built with the database alone,
 * its runs (coalesced where pages, frames and parents are consecutive), rights, status bits and
 * derivations, and the cap on runs per space.
 */
class MappingReportTest {
    static final int R = 4, W = 2, RW = 6, RX = 5, RWX = 7;
    static final long PAGE = PhysicalMemory.PAGE_SIZE;

    final Tlb cpu = new Tlb();
    final MappingDb db = new MappingDb((s, vpn) -> cpu.flushPage(s.id, vpn));
    final Space sigma0 = new Space(1), a = new Space(2), b = new Space(3), c = new Space(4);

    { sigma0.physical = true; }

    /** Sigma0 owns 16 frames at 0x100000 (1:1); A maps them at 0x400000, B 4 of them at 0x800000, C one. */
    void buildTree() {
        for (int i = 0; i < 16; i++) {
            MappingNode root = db.root(0x100_000 + i * PAGE, sigma0, 0x100 + i, RWX);
            MappingNode na = db.map(root, a, 0x400 + i, RWX);
            if (i >= 4 && i < 8) {
                MappingNode nb = db.map(na, b, 0x800 + i - 4, RW);
                if (i == 5) db.map(nb, c, 0x20, R);
            }
        }
    }

    static List<String> report(Space s, long... threads) {
        return MappingReport.space(s, java.util.Arrays.stream(threads).boxed().toList(), MappingReport.MAX_RUNS);
    }

    @Test
    void aSixteenPageRunIsOneLineFromSigma0sRoots() {
        buildTree();
        assertEquals(List.of(
                "space 1 [sigma0] (thread 64.1; 16 pages mapped)",
                "  0x00100000-0x0010ffff -> frame 0x00100000  rwx  status ---  owner, sigma0's root (16 pages)"),
                report(sigma0, ThreadId.global(64, 1)));
        assertEquals(List.of(
                "space 2 (threads 66.1 67.2; 16 pages mapped)",
                "  0x00400000-0x0040ffff -> frame 0x00100000  rwx  status ---  from space 1 0x00100000 (16 pages)"),
                report(a, ThreadId.global(66, 1), ThreadId.global(67, 2)));
    }

    @Test
    void derivationRightsAndStatusDownTheTree() {
        buildTree();
        assertTrue(MappingDbTest.touch(cpu, b, 0x801, R));      // B reads and writes its second page
        assertTrue(MappingDbTest.touch(cpu, b, 0x801, W));
        assertTrue(MappingDbTest.touch(cpu, c, 0x20, R));
        assertEquals(List.of(
                "space 3 (thread 68.1; 4 pages mapped)",
                "  0x00800000-0x00800fff -> frame 0x00104000  rw-  status ---  from space 2 0x00404000 (1 page)",
                "  0x00801000-0x00801fff -> frame 0x00105000  rw-  status rw-  from space 2 0x00405000 (1 page)",
                "  0x00802000-0x00803fff -> frame 0x00106000  rw-  status ---  from space 2 0x00406000 (2 pages)"),
                report(b, ThreadId.global(68, 1)));
        assertEquals(List.of(
                "space 4 (thread 69.1; 1 page mapped)",
                "  0x00020000-0x00020fff -> frame 0x00105000  r--  status r--  from space 3 0x00801000 (1 page)"),
                report(c, ThreadId.global(69, 1)));

        db.unmap(b.mapping(0x801), W, false);                   // C keeps read; the status bits were collected
        assertEquals("  0x00800000-0x00803fff -> frame 0x00104000  rw-  status ---  from space 2 0x00404000 (4 pages)",
                report(b, ThreadId.global(68, 1)).get(1), "the run joins again once the status is reset");
        assertEquals("  0x00020000-0x00020fff -> frame 0x00105000  r--  status ---  from space 3 0x00801000 (1 page)",
                report(c, ThreadId.global(69, 1)).get(1));
    }

    @Test
    void runsBreakWhereFramesOrParentsAreNotConsecutive() {
        MappingNode r0 = db.root(0x100_000, sigma0, 0x100, RWX), r1 = db.root(0x101_000, sigma0, 0x101, RWX);
        MappingNode r5 = db.root(0x105_000, sigma0, 0x105, RWX);
        db.map(r0, a, 0x10, RX);
        db.map(r1, a, 0x11, RX);                                // joins: frame, parent and page consecutive
        db.map(r5, a, 0x12, RX);                                // frame jumps
        db.map(r0, b, 0x1, RWX);
        db.map(db.map(r1, a, 0x30, RWX), b, 0x2, RWX);          // next frame, but from A, not sigma0
        List<String> ra = report(a), rb = report(b);
        assertEquals(List.of(
                "space 2 (no threads; 4 pages mapped)",
                "  0x00010000-0x00011fff -> frame 0x00100000  r-x  status ---  from space 1 0x00100000 (2 pages)",
                "  0x00012000-0x00012fff -> frame 0x00105000  r-x  status ---  from space 1 0x00105000 (1 page)",
                "  0x00030000-0x00030fff -> frame 0x00101000  rwx  status ---  from space 1 0x00101000 (1 page)"), ra);
        assertEquals(3, rb.size(), String.join("\n", rb));
        assertTrue(rb.get(2).endsWith("from space 2 0x00030000 (1 page)"), rb.get(2));
    }

    @Test
    void aSpaceListsAtMostTheCapThenCountsTheRest() {
        for (int i = 0; i < 10; i++) {
            MappingNode root = db.root(0x100_000 + 2 * i * PAGE, sigma0, 0x100 + 2 * i, RWX);
            db.map(root, a, 0x400 + 2 * i, RW);                 // every other page: ten runs
        }
        List<String> lines = MappingReport.space(a, List.of(ThreadId.global(66, 1)), 3);
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertEquals("  ... 7 more runs", lines.get(4));
        assertTrue(lines.get(3).startsWith("  0x00404000-0x00404fff -> frame 0x00104000  rw-"), lines.get(3));
        assertEquals(List.of("space 4 (no threads; 0 pages mapped)"), report(c), "an empty space is its header");
    }
}
