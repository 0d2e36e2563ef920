package ristretto.machine;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * The cost model's cache ({@link CacheModel}): hits and misses, least-recently-used replacement
 * within a set, the no-allocate hint, and write-backs of dirty lines on eviction; and the counts
 * {@link CostModel} makes of one copy.
 */
class CacheModelTest {
    /** 32 KiB, 8 ways: 64 sets, so lines 4 KiB apart fall in the same set. */
    static final long SET_STRIDE = 64L * CacheModel.LINE;

    @Test
    void aLineMissesOnceThenHitsAndWordsOfItShareIt() {
        CacheModel c = CacheModel.l1();
        assertEquals(32 * 1024, c.sizeBytes());
        assertTrue(c.access(0x1000, false, true), "cold");
        assertFalse(c.access(0x1000, false, true));
        assertFalse(c.access(0x1038, true, true), "the same 64-byte line");
        assertTrue(c.access(0x1040, false, true), "the next line");
        assertEquals(2, c.misses());
        assertEquals(2, c.range(0x2000, 128, false, true), "two cold lines");
        assertEquals(0, c.range(0x2000, 128, false, true));
        assertEquals(3, CacheModel.lines(0x2030, 100), "an unaligned range of 100 bytes spans three lines");
        assertEquals(3, c.range(0x3030, 100, false, true));
    }

    @Test
    void theLeastRecentlyUsedLineOfAFullSetIsEvicted() {
        CacheModel c = CacheModel.l1();
        for (int i = 0; i < 8; i++) assertTrue(c.access(i * SET_STRIDE, false, true));
        assertFalse(c.access(0, false, true), "line 0 is used again: now line 1 is the oldest");
        assertTrue(c.access(8 * SET_STRIDE, false, true), "a ninth line in the set evicts one");
        assertFalse(c.access(0, false, true), "not line 0");
        assertTrue(c.access(SET_STRIDE, false, true), "line 1 was evicted");
        assertEquals(0, c.writebacks(), "nothing was dirty");
    }

    @Test
    void aMissThatDoesNotAllocateLeavesTheCacheAsItWas() {
        CacheModel c = CacheModel.l1();
        for (int i = 0; i < 8; i++) c.access(i * SET_STRIDE, true, true);
        assertTrue(c.access(8 * SET_STRIDE, true, false), "a miss");
        assertTrue(c.access(8 * SET_STRIDE, false, false), "still a miss: not allocated");
        for (int i = 0; i < 8; i++) assertFalse(c.access(i * SET_STRIDE, false, true), "nothing was evicted");
        assertEquals(0, c.writebacks());
        assertFalse(c.access(0, false, false), "a hit stays a hit without allocation");
    }

    @Test
    void dirtyLinesAreWrittenBackWhenEvictedCleanOnesAreNot() {
        CacheModel c = CacheModel.l1();
        c.access(0, true, true);                                      // dirty
        for (int i = 1; i < 8; i++) c.access(i * SET_STRIDE, false, true);
        c.access(8 * SET_STRIDE, false, true);                        // evicts line 0, dirty
        assertEquals(1, c.writebacks());
        c.access(9 * SET_STRIDE, false, true);                        // evicts line 1, clean
        assertEquals(1, c.writebacks());
        c.clear();
        assertTrue(c.access(2 * SET_STRIDE, false, true), "clear() empties the cache");
        assertEquals(1, c.writebacks(), "and writes nothing back");
    }

    @Test
    void aCopyCountsWordsLinesMissesAndTlbMisses() {
        CostModel m = new CostModel(CacheModel.l1());
        m.begin(10);
        m.read(0x10000, 1024, 0);                                     // 128 words, 16 lines
        m.write(0x20000, 1024, 0);
        m.delivered(1024);
        m.end(13);
        CostModel.Counts c = m.last();
        assertEquals(new CostModel.Counts(1024, 128, 128, 32, 32, 3), c);
        assertEquals(1, m.ipcs());

        m.begin(13);                                                  // the same copy again: all hits
        m.read(0x10000, 1024, 0);
        m.write(0x20000, 1024, 0);
        m.delivered(1024);
        m.end(13);
        assertEquals(new CostModel.Counts(1024, 128, 128, 32, 0, 0), m.last());

        m.begin(0);                                                   // hint 2: a fresh source does not allocate
        m.read(0x30000, 100, 2);                                      // 13 words, 2 lines
        m.read(0x30000, 100, 2);                                      // misses again, counted again, lines once
        m.end(0);
        assertEquals(new CostModel.Counts(0, 26, 0, 2, 4, 0), m.last());
    }
}
