package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import ristretto.abi.Fpage;
import ristretto.abi.ThreadId;
import ristretto.kernel.mem.MappingDbChecker;
import ristretto.machine.PhysicalMemory;
import ristretto.system.Harness;

/**
 * The user's view of memory beyond single words (issue 9, item 7): execute access, which needs X
 * rights and sets the X status bit; sized access of 1, 2, 4 and 8 bytes, little-endian and
 * naturally aligned; and bulk copies of byte ranges, translated page by page with a fault
 * possible at each page. All on the root task's memory, with the database checker after each run.
 */
class MemoryAccessTest {
    private static final long MEM = Scenario.MEM;
    private static final long PAGE = PhysicalMemory.PAGE_SIZE;
    /** A page of root memory well away from anything the system touches at boot. */
    private static final long P = MEM + 0x40_000;

    private static Harness run(Scenario s, boolean tracing) {
        Harness h = Harness.boot(Scenario.MACHINE, Harness.testOptions().withTracing(tracing), s,
                ristretto.kernel.load.Loading.SHIPPED, Harness.TIME_LIMIT_NS);
        Scenario.checked(h.runToHalt());
        MappingDbChecker.check(h.kernel());
        return h;
    }

    private static Harness run(Scenario s) { return run(s, true); }

    private static String rootStop(Harness h) { return h.kernel().stopReason(h.kernel().rootTaskId()); }

    private static void stoppedWith(Harness h, String reason) {
        String r = rootStop(h);
        assertNotNull(r, "the root task stopped");
        assertFalse(r.startsWith("KERNEL BUG"), r);
        assertTrue(r.contains(reason), r);
    }

    private static byte[] pattern(int len, long seed) {
        byte[] b = new byte[len];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void sizedStoresAndLoadsRoundTripLittleEndian() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.store(P, 0);
            l4.store32(P, 0x11223344L);
            s.log.add("bytes " + Long.toHexString(l4.load8(P)) + " " + Long.toHexString(l4.load8(P + 1))
                    + " " + Long.toHexString(l4.load8(P + 2)) + " " + Long.toHexString(l4.load8(P + 3)));
            l4.store8(P + 4, 0x1ff);                                     // only the low byte
            l4.store16(P + 6, 0xabcd);
            s.log.add("word " + Long.toHexString(l4.load(P)));
            s.log.add("halves " + Long.toHexString(l4.load16(P)) + " " + Long.toHexString(l4.load16(P + 6)));
            l4.store32(P + 8, -1);
            l4.store32(P + 12, 0);
            s.log.add("zero-extended " + Long.toHexString(l4.load32(P + 8)));
            l4.store(P + 16, 0x0102030405060708L, 8);
            s.log.add("sized 8 " + (l4.load(P + 16, 8) == l4.load(P + 16)) + " " + Long.toHexString(l4.load(P + 16)));
            s.log.add("odd byte " + l4.load8(P + 17));
        });
        run(s);
        assertEquals(List.of("bytes 44 33 22 11", "word abcd00ff11223344", "halves 3344 abcd",
                "zero-extended ffffffff", "sized 8 true 102030405060708", "odd byte 7"), s.log);
    }

    @Test
    void otherSizesAreUserFaults() {
        for (int bytes : new int[] {3, 0, 16, -1}) {
            Scenario s = new Scenario();
            s.main(l4 -> {
                s.log.add("loading");
                l4.load(P, bytes);
                s.log.add("must not load");
            });
            Harness h = run(s);
            assertEquals(List.of("loading"), s.log);
            stoppedWith(h, "UserFault: no " + bytes + "-byte memory access");
        }
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.store(P, 9);
            l4.store(P, -1, 3);
        });
        Harness h = run(s);
        stoppedWith(h, "no 3-byte memory access");
        assertEquals(9, h.kernel().memory.load(P), "nothing stored");
    }

    @Test
    void misalignedSizedAccessFaults() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            s.log.add("aligned " + l4.load(P + 4, 4) + " " + l4.load(P + 6, 2) + " " + l4.load(P + 3, 1));
            l4.load(P + 2, 4);
            s.log.add("must not load");
        });
        stoppedWith(run(s), "misaligned read at 0x" + Long.toHexString(P + 2));
        assertEquals(List.of("aligned 0 0 0"), s.log);

        Scenario w = new Scenario();
        w.main(l4 -> l4.store16(P + 1, 1));
        stoppedWith(run(w), "misaligned write at 0x" + Long.toHexString(P + 1));
    }

    /** Three pages' worth from mid-page touches four pages; the bytes just outside the range stay. */
    @Test
    void aBulkWriteThenReadRoundTripsAcrossPages() {
        for (boolean tracing : new boolean[] {true, false}) {
            byte[] data = pattern(3 * (int) PAGE, 9);
            byte[] back = new byte[data.length + 2];
            Scenario s = new Scenario();
            s.main(l4 -> {
                long end = P + 100 + data.length;                       // 4-byte aligned
                l4.store32(P + 96, -1);
                l4.store32(end, -1);
                l4.write(P + 100, data);
                l4.read(P + 100, back, 1, data.length);
                s.log.add("first " + l4.load8(P + 100) + " last " + l4.load8(end - 1));
                s.log.add("around " + Long.toHexString(l4.load32(P + 96)) + " " + Long.toHexString(l4.load32(end)));
            });
            run(s, tracing);
            assertArrayEquals(data, Arrays.copyOfRange(back, 1, data.length + 1));
            assertEquals(0, back[0]);
            assertEquals(0, back[back.length - 1]);
            assertEquals(List.of("first " + (data[0] & 0xff) + " last " + (data[data.length - 1] & 0xff),
                    "around ffffffff ffffffff"), s.log);
        }
    }

    @Test
    void aBulkReadIntoAnUnmappedPageStopsAtThatPage() {
        for (boolean tracing : new boolean[] {true, false}) {
            byte[] data = pattern(100, 3);
            byte[] dst = new byte[200];
            Scenario s = new Scenario();
            s.main(l4 -> {
                l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
                l4.write(P + PAGE - 100, data);
                l4.flush(Fpage.log2(P + PAGE, 12, Fpage.RWX));
                s.log.add("reading");
                l4.read(P + PAGE - 100, dst, 0, 200);
                s.log.add("must not finish");
            });
            Harness h = run(s, tracing);
            assertEquals(List.of("reading"), s.log);
            stoppedWith(h, "page fault: read at 0x" + Long.toHexString(P + PAGE));
            assertArrayEquals(data, Arrays.copyOf(dst, 100), "the page before the fault was copied");
            assertArrayEquals(new byte[100], Arrays.copyOfRange(dst, 100, 200));
        }
    }

    @Test
    void aBulkWriteIntoAReadOnlyPageIsAProtectionFault() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
            l4.flush(Fpage.log2(P + PAGE, 12, Fpage.W));
            l4.write(P + PAGE - 8, new byte[16], 0, 16);
        });
        stoppedWith(run(s), "protection fault: write at 0x" + Long.toHexString(P + PAGE) + ", which is mapped r-x");
    }

    @Test
    void fetchNeedsXAndSetsTheXStatusBit() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
            l4.store(P, 77);
            l4.store(P + PAGE, 78);
            l4.status(Fpage.log2(P, 13, 0));                            // reset both pages' bits
            s.log.add("fetched " + l4.fetch(P));
            s.log.add("status " + l4.status(Fpage.log2(P, 12, 0)));
            l4.load(P + PAGE);
            s.log.add("loaded only " + l4.status(Fpage.log2(P + PAGE, 12, 0)));
            l4.flush(Fpage.log2(P + PAGE, 12, Fpage.X));
            s.log.add("still readable " + l4.load(P + PAGE));
            l4.fetch(P + PAGE);
            s.log.add("must not fetch");
        });
        Harness h = run(s);
        assertEquals(List.of("fetched 77", "status " + Fpage.X, "loaded only " + Fpage.R, "still readable 78"), s.log);
        stoppedWith(h, "protection fault: execute at 0x" + Long.toHexString(P + PAGE) + ", which is mapped rw-");
    }

    @Test
    void aMisalignedFetchFaults() {
        Scenario s = new Scenario();
        s.main(l4 -> l4.fetch(P + 4));
        stoppedWith(run(s), "misaligned execute at 0x" + Long.toHexString(P + 4));
    }

    @Test
    void aBadArrayRangeIsAUserFaultBeforeAnythingIsTouched() {
        int[][] ranges = {{5, 6}, {-1, 2}, {0, -1}, {11, 0}, {Integer.MAX_VALUE, 2}};
        for (int[] r : ranges) {
            for (boolean write : new boolean[] {false, true}) {
                Scenario s = new Scenario();
                s.main(l4 -> {
                    l4.store(P, 5);
                    byte[] a = new byte[10];
                    Arrays.fill(a, (byte) 1);
                    if (write) l4.write(P, a, r[0], r[1]);
                    else l4.read(P, a, r[0], r[1]);
                });
                Harness h = run(s);
                stoppedWith(h, "UserFault: " + (write ? "write" : "read") + ": range [" + r[0] + ", ");
                assertEquals(5, h.kernel().memory.load(P), "nothing written");
            }
        }
    }

    @Test
    void anEmptyRangeTouchesNothing() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.read(0, new byte[0], 0, 0);                              // address 0 is not mapped: no fault
            l4.write(0, new byte[4], 4, 0);
            s.log.add("done");
        });
        run(s);
        assertEquals(List.of("done"), s.log);
    }
}
