package ristretto.machine;

import java.util.Arrays;

/**
 * A simple set-associative data cache over physical addresses, for the cost model: lines of
 * {@link #LINE} bytes (8 words, the seed's assumption), {@code sets} sets of {@code ways} lines
 * each, least-recently-used replacement, write-back with write-allocate — unless an access asks
 * not to allocate (a cache allocation hint), in which case a miss leaves the cache as it was.
 * It counts; it holds no data.
 */
public final class CacheModel {
    public static final int LINE = 64;
    private static final int LINE_BITS = 6;

    private final int sets, ways;
    private final long[] tags;
    private final long[] used;
    private final boolean[] dirty;
    private long clock;
    private long misses, writebacks;

    /** A cache of {@code bytes} bytes in total, {@code ways}-way set-associative (sets a power of two). */
    public CacheModel(int bytes, int ways) {
        int lines = bytes / LINE;
        if (ways <= 0 || lines % ways != 0 || Integer.bitCount(lines / ways) != 1)
            throw new IllegalArgumentException("cache of " + bytes + " bytes, " + ways + " ways");
        this.sets = lines / ways;
        this.ways = ways;
        this.tags = new long[lines];
        this.used = new long[lines];
        this.dirty = new boolean[lines];
        clear();
    }

    /** A 32 KiB, 8-way cache: a first-level data cache of the seed's era and of today. */
    public static CacheModel l1() { return new CacheModel(32 * 1024, 8); }

    public int sizeBytes() { return sets * ways * LINE; }

    /** Empties the cache (every line invalid); the counters stay. */
    public void clear() {
        Arrays.fill(tags, -1L);
        Arrays.fill(dirty, false);
    }

    /** One access to the line holding {@code paddr}: answers true on a miss. */
    public boolean access(long paddr, boolean write, boolean allocate) {
        long line = paddr >>> LINE_BITS;
        int base = (int) (line & (sets - 1)) * ways;
        long now = ++clock;
        int victim = -1;
        for (int i = base; i < base + ways; i++) {
            if (tags[i] == line) {
                used[i] = now;
                if (write) dirty[i] = true;
                return false;
            }
            if (victim < 0 || tags[victim] != -1L && (tags[i] == -1L || used[i] < used[victim])) victim = i;
        }
        misses++;
        if (!allocate) return true;
        if (tags[victim] != -1L && dirty[victim]) writebacks++;
        tags[victim] = line;
        used[victim] = now;
        dirty[victim] = write;
        return true;
    }

    /** Accesses every line of {@code [paddr, paddr + len)}; answers the misses among them. */
    public long range(long paddr, long len, boolean write, boolean allocate) {
        if (len <= 0) return 0;
        long missed = 0;
        for (long line = paddr >>> LINE_BITS, last = (paddr + len - 1) >>> LINE_BITS; line <= last; line++)
            if (access(line << LINE_BITS, write, allocate)) missed++;
        return missed;
    }

    /** Misses so far (line fills, and misses of accesses that did not allocate). */
    public long misses() { return misses; }

    /** Dirty lines written back on eviction so far. */
    public long writebacks() { return writebacks; }

    /** The number of lines {@code [paddr, paddr + len)} touches. */
    public static long lines(long paddr, long len) {
        return len <= 0 ? 0 : ((paddr + len - 1) >>> LINE_BITS) - (paddr >>> LINE_BITS) + 1;
    }
}
