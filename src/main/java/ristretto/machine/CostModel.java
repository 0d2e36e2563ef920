package ristretto.machine;

/**
 * The cost model of string copies (seed 000, "Cost Estimates for Copying n Words"): what one
 * IPC's copy did to the simulated machine — memory reads and writes in words, the distinct cache
 * lines it touched, the misses of a set-associative cache ({@link CacheModel}) and the TLB
 * misses of the CPU. Off unless the kernel is booted with it (then each CPU has one); the copy
 * strategies report each physical run they read or write, and the kernel brackets each IPC with
 * {@link #begin} and {@link #end}.
 */
public final class CostModel {
    /** What one IPC's copy cost. */
    public record Counts(long bytes, long reads, long writes, long lines, long cacheMisses, long tlbMisses) {}

    private final CacheModel cache;
    private final java.util.HashSet<Long> touched = new java.util.HashSet<>();
    private long bytes, reads, writes, missesAtBegin, tlbAtBegin;
    private Counts last = new Counts(0, 0, 0, 0, 0, 0);
    private long ipcs;

    public CostModel(CacheModel cache) { this.cache = cache; }

    public CacheModel cache() { return cache; }

    /** An IPC's copy begins; {@code tlbMisses} is the CPU's count now. */
    public void begin(long tlbMisses) {
        touched.clear();
        bytes = reads = writes = 0;
        missesAtBegin = cache.misses();
        tlbAtBegin = tlbMisses;
    }

    /** The IPC's copy ended: its counts become {@link #last}. */
    public void end(long tlbMisses) {
        last = new Counts(bytes, reads, writes, touched.size(), cache.misses() - missesAtBegin, tlbMisses - tlbAtBegin);
        ipcs++;
    }

    /** {@code len} string bytes arrived (counted once, whatever the strategy). */
    public void delivered(long len) { bytes += len; }

    /** The copy read {@code [paddr, paddr + len)} word by word; {@code hint} is the string's cache allocation hint. */
    public void read(long paddr, long len, int hint) {
        reads += (len + 7) >>> 3;
        lines(paddr, len);
        cache.range(paddr, len, false, allocates(hint));
    }

    /** The copy wrote {@code [paddr, paddr + len)}. */
    public void write(long paddr, long len, int hint) {
        writes += (len + 7) >>> 3;
        lines(paddr, len);
        cache.range(paddr, len, true, allocates(hint));
    }

    /** Hint 2 ("do not allocate new cache lines", §4.3) streams past the cache; the others allocate. */
    private static boolean allocates(int hint) { return hint != 2; }

    private void lines(long paddr, long len) {
        if (len <= 0) return;
        for (long l = paddr >>> 6, e = (paddr + len - 1) >>> 6; l <= e; l++) touched.add(l);
    }

    public Counts last() { return last; }

    public long ipcs() { return ipcs; }
}
