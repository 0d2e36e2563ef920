package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import ristretto.abi.Fpage;
import ristretto.abi.ThreadId;
import ristretto.abi.Kip;
import ristretto.kernel.mem.MappingDbChecker;
import ristretto.kernel.mem.MappingNode;
import ristretto.kernel.mem.Space;
import ristretto.machine.PhysicalMemory;
import ristretto.system.Harness;

/**
 * The Unmap system call (§11.6) on the root task's memory, which derives from sigma0 through the
 * kernel's mapping database: flush and plain unmap, partial rights reduction, the status bits,
 * the KIP and UTCB areas that cannot be unmapped, and malformed input. After every run the
 * kernel's invariants and the database checker hold.
 */
class UnmapTest {
    private static final long MEM = Scenario.MEM;
    private static final long PAGE = PhysicalMemory.PAGE_SIZE;
    /** A page of root memory well away from anything the system touches at boot. */
    private static final long P = MEM + 0x40_000;

    private static Harness run(Scenario s) {
        Harness h = s.run();
        MappingDbChecker.check(h.kernel());
        return h;
    }

    private static MappingNode rootTaskMapping(Kernel k, long addr) {
        return k.threads.lookupGlobal(k.rootTaskId()).space.mapping(addr >>> PhysicalMemory.PAGE_BITS);
    }

    private static String rootStop(Harness h) { return h.kernel().stopReason(h.kernel().rootTaskId()); }

    @Test
    void theRootTasksMemoryDerivesFromSigma0() {
        Scenario s = new Scenario();
        s.main(l4 -> s.log.add("read " + l4.load(P)));
        Harness h = run(s);
        Kernel k = h.kernel();
        Space sigma0 = k.threads.lookupGlobal(k.sigma0Id()).space;
        for (long a : new long[] {MEM, P, MEM + (16L << 20) - PAGE}) {
            MappingNode n = rootTaskMapping(k, a);
            assertNotNull(n, "root task maps 0x" + Long.toHexString(a));
            assertEquals(a, n.frame(), "1:1 as before");
            assertEquals(Fpage.RWX, n.rights());
            assertSame(k.mappings.rootOf(a), n.parent(), "mapped from the frame's root");
            assertSame(sigma0, n.parent().space(), "the root is sigma0's");
            assertEquals(a >>> PhysicalMemory.PAGE_BITS, n.parent().vpn(), "sigma0's space is physical memory");
        }
        assertEquals(List.of("read 0"), s.log);
    }

    @Test
    void aFlushRemovesTheCallersOwnPageAndALoadThenFaults() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
            l4.store(P, 42);
            l4.store(P + PAGE, 43);
            long result = l4.flush(Fpage.log2(P, 12, Fpage.RWX));
            s.log.add("result fpage " + (result == Fpage.log2(P, 12, Fpage.W)));
            s.log.add("next page " + l4.load(P + PAGE));
            s.log.add("loading");
            s.log.add("must not load " + l4.load(P));
        });
        Harness h = run(s);
        assertEquals(List.of("result fpage true", "next page 43", "loading"), s.log);
        assertTrue(rootStop(h).contains("page fault: read at 0x" + Long.toHexString(P)), rootStop(h));
        assertNull(rootTaskMapping(h.kernel(), P));
        assertNotNull(rootTaskMapping(h.kernel(), P + PAGE));
        assertTrue(h.kernel().mappings.rootOf(P).isRoot() && h.kernel().mappings.rootOf(P).live(), "sigma0 keeps the frame");
    }

    @Test
    void withoutFlushTheCallersOwnPagesStay() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.store(P, 7);
            l4.unmapFpage(Fpage.log2(P, 14, Fpage.RWX));
            l4.store(P, l4.load(P) + 1);
            s.log.add("value " + l4.load(P));
        });
        Harness h = run(s);
        assertEquals(List.of("value 8"), s.log);
        assertEquals(Fpage.RWX, rootTaskMapping(h.kernel(), P).rights());
    }

    /**
     * A mapping derived from the root task's page (here an alias in its own space, made by the
     * database before the run: map items in IPC come later) is revoked without flush, with or
     * without tracing; the caller's own page stays.
     */
    @Test
    void withoutFlushWhatDerivesFromThePageGoes() {
        for (boolean tracing : new boolean[] {true, false}) {
            long alias = 0x4000_0000L;
            Scenario s = new Scenario();
            s.main(l4 -> {
                l4.sleepMicros(100);                             // the host maps the alias meanwhile
                l4.setPager(ThreadId.NIL);                       // no pager: a fault stops the thread
                l4.store(P, 11);
                s.log.add("alias " + l4.load(alias));
                s.log.add("status " + Fpage.rights(l4.unmapFpage(Fpage.log2(P, 12, Fpage.RWX))));
                s.log.add("own " + l4.load(P));
                l4.load(alias);
            });
            Harness h = Harness.boot(Scenario.MACHINE, Harness.testOptions().withTracing(tracing), s,
                    ristretto.kernel.load.Loading.SHIPPED, Harness.TIME_LIMIT_NS);
            Kernel k = h.kernel();
            Space root = k.threads.lookupGlobal(k.rootTaskId()).space;
            assertNull(h.system.runUntilIdle());                 // the root task has its memory and sleeps
            assertNotNull(k.mappings.map(rootTaskMapping(k, P), root, alias >>> PhysicalMemory.PAGE_BITS, Fpage.R));
            Scenario.checked(h.runToHalt());
            MappingDbChecker.check(k);
            assertEquals(List.of("alias 11", "status " + (Fpage.R | Fpage.W), "own 11"), s.log);
            assertTrue(rootStop(h).contains("read at 0x" + Long.toHexString(alias)), rootStop(h));
            assertNull(root.mapping(alias >>> PhysicalMemory.PAGE_BITS));
        }
    }

    @Test
    void flushingWriteOnlyLeavesAReadOnlyPage() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
            l4.store(P, 5);
            l4.flush(Fpage.log2(P, 12, Fpage.W));
            s.log.add("load " + l4.load(P));
            s.log.add("storing");
            l4.store(P, 6);
            s.log.add("must not store");
        });
        Harness h = run(s);
        assertEquals(List.of("load 5", "storing"), s.log);
        assertTrue(rootStop(h).contains("protection fault: write at 0x" + Long.toHexString(P) + ", which is mapped r-x"), rootStop(h));
        assertEquals(Fpage.R | Fpage.X, rootTaskMapping(h.kernel(), P).rights());
    }

    /** Seed 001 "Status Bits": a read, then a write through the same TLB entry, report RW. */
    @Test
    void statusBitsAreExactThroughOneTlbEntry() {
        long page = Fpage.log2(P, 12);
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.status(page);                                 // reset
            l4.load(P);                                      // fills the TLB entry, marks R
            l4.store(P, 7);                                  // a hit on that entry: marks W
            s.log.add("read then write " + l4.status(page));
            l4.store(P, 8);
            s.log.add("write " + l4.status(page));
            s.log.add("nothing " + l4.status(page));
        });
        run(s);
        assertEquals(List.of("read then write " + (Fpage.R | Fpage.W), "write " + Fpage.W, "nothing 0"), s.log);
    }

    @Test
    void statusBitsAreReportedOverTheFpageAndResetByTheRead() {
        long two = Fpage.log2(P, 13);                      // P and P + PAGE
        Scenario s = new Scenario();
        s.main(l4 -> {
            s.log.add("fresh " + l4.status(two));
            l4.store(P, 1);
            l4.load(P + PAGE);
            s.log.add("after store and load " + l4.status(two));
            s.log.add("after the read " + l4.status(two));
            l4.load(P);
            s.log.add("after a load " + l4.status(two));
            l4.store(P + PAGE, 2);
            s.log.add("flush reports " + Fpage.rights(l4.flush(Fpage.log2(P + PAGE, 12, Fpage.RWX))));
        });
        run(s);
        assertEquals(List.of("fresh 0", "after store and load " + (Fpage.R | Fpage.W), "after the read 0",
                "after a load " + Fpage.R, "flush reports " + Fpage.W), s.log);
    }

    @Test
    void theKipAndUtcbAreasAndTheCodeImageAreNeverUnmapped() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
            long kip = l4.kernelInterface();
            l4.store(P, 1);
            l4.flush(Fpage.log2(kip, 12, Fpage.RWX));
            l4.flush(Boot.ROOT_UTCB_AREA | Fpage.RWX);
            l4.flush(Fpage.log2(ristretto.kernel.mem.CodeImage.BASE, 16, Fpage.RWX));
            s.log.add("kip " + (l4.load(kip + Kip.MAGIC_OFF) == Kip.MAGIC));
            s.log.add("clock " + (l4.systemClock() >= 0));
            l4.flush(Fpage.COMPLETE | Fpage.RWX);              // everything else goes
            s.log.add("kip still " + (l4.load(kip + Kip.MAGIC_OFF) == Kip.MAGIC));
            s.log.add("utcb still " + l4.mr(0));                // the complete space's status: the store
            s.log.add("memory?");
            l4.load(P);
        });
        Harness h = run(s);
        assertEquals(List.of("kip true", "clock true", "kip still true", "utcb still " + (Fpage.COMPLETE | Fpage.W), "memory?"), s.log);
        assertTrue(rootStop(h).contains("page fault: read at 0x" + Long.toHexString(P)), rootStop(h));
        Space root = h.kernel().threads.lookupGlobal(h.kernel().rootTaskId()).space;
        assertEquals(0, root.mappingCount(), "the complete space took all of root memory");
    }

    @Test
    void malformedFpagesAndAHugeKChangeNothingTheyDoNotName() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.store(P, 9);
            long[] bad = {Fpage.log2(P, 5, Fpage.RWX), Fpage.log2(P, 1, Fpage.RWX), Fpage.log2(P, 2, Fpage.RWX),
                    Fpage.log2(0x7FFF_0000_0000_0000L, 40, Fpage.RWX), -1L & ~0x3F0L | (60L << 4), Fpage.RWX};
            for (int i = 0; i < bad.length; i++) l4.setMr(i, bad[i]);
            l4.unmap(bad.length - 1 | Fpage.UNMAP_FLUSH);
            s.log.add("statuses " + Fpage.rights(l4.mr(0)) + Fpage.rights(l4.mr(1)) + Fpage.rights(l4.mr(3)) + Fpage.rights(l4.mr(5)));
            s.log.add("still " + l4.load(P));
            SplittableRandom r = new SplittableRandom(9);
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 64; i++) l4.setMr(i, r.nextLong() & ~(long) Fpage.RWX);   // revoke nothing
                l4.unmap(-1L);                                                                  // k = 63, flush, junk bits
            }
            s.log.add("after junk " + l4.load(P));
        });
        run(s);
        assertEquals(List.of("statuses 0000", "still 9", "after junk 9"), s.log);
    }

    @Test
    void aSmallFpageIsWidenedToItsPage() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
            l4.flush(Fpage.log2(P + 0x400, 10, Fpage.RWX));
            s.log.add("next " + l4.load(P + PAGE));
            l4.load(P + 0x800);
        });
        Harness h = run(s);
        assertEquals(List.of("next 0"), s.log);
        assertTrue(rootStop(h).contains("read at 0x" + Long.toHexString(P + 0x800)), rootStop(h));
    }
}
