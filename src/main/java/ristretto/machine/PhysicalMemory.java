package ristretto.machine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Physical memory: one off-heap segment of 4 KiB frames, little-endian 64-bit words. The segment
 * belongs to an automatic arena: it is freed when the machine becomes unreachable, and it counts
 * as direct memory, so the JVM collects dead machines before it runs out (a shared arena that is
 * never closed would leak every machine ever built).
 */
public final class PhysicalMemory {
    public static final int PAGE_BITS = 12;
    public static final long PAGE_SIZE = 1L << PAGE_BITS;
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment segment;
    private final long size;

    public PhysicalMemory(long size) {
        if (size <= 0 || (size & (PAGE_SIZE - 1)) != 0) throw new IllegalArgumentException("size must be whole pages: " + size);
        this.size = size;
        this.segment = Arena.ofAuto().allocate(size, PAGE_SIZE);
    }

    public long size() { return size; }

    public long frames() { return size >>> PAGE_BITS; }

    /** The whole of physical memory; kernel code copies message words through it. */
    public MemorySegment segment() { return segment; }

    public boolean contains(long paddr, long len) { return paddr >= 0 && len >= 0 && paddr + len <= size; }

    public long load(long paddr) { return segment.get(WORD, paddr); }

    public void store(long paddr, long value) { segment.set(WORD, paddr, value); }

    public void zero(long paddr, long len) { segment.asSlice(paddr, len).fill((byte) 0); }

    public MemorySegment slice(long paddr, long len) { return segment.asSlice(paddr, len); }
}
