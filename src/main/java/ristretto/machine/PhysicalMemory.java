package ristretto.machine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Physical memory: one off-heap segment of 4 KiB frames, little-endian 64-bit words. The segment
 * belongs to an automatic arena: it is freed when the machine becomes unreachable, and it counts
 * as direct memory, so the JVM collects dead machines before it runs out (a shared arena that is
 * never closed would leak every machine ever built).
 */
public final class PhysicalMemory {
    public static final int PAGE_BITS = 12;
    public static final long PAGE_SIZE = 1L << PAGE_BITS;
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt QUARTER = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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

    /**
     * Loads a little-endian value of {@code bytes} (1, 2, 4 or 8) bytes, zero-extended. The caller
     * (the MMU's user) has checked the size; any other is an error here.
     */
    public long load(long paddr, int bytes) {
        return switch (bytes) {
            case 1 -> Byte.toUnsignedLong(segment.get(ValueLayout.JAVA_BYTE, paddr));
            case 2 -> Short.toUnsignedLong(segment.get(HALF, paddr));
            case 4 -> Integer.toUnsignedLong(segment.get(QUARTER, paddr));
            case 8 -> segment.get(WORD, paddr);
            default -> throw new IllegalArgumentException("no " + bytes + "-byte access");
        };
    }

    /** Stores the low {@code bytes} (1, 2, 4 or 8) bytes of {@code value}, little-endian. */
    public void store(long paddr, long value, int bytes) {
        switch (bytes) {
            case 1 -> segment.set(ValueLayout.JAVA_BYTE, paddr, (byte) value);
            case 2 -> segment.set(HALF, paddr, (short) value);
            case 4 -> segment.set(QUARTER, paddr, (int) value);
            case 8 -> segment.set(WORD, paddr, value);
            default -> throw new IllegalArgumentException("no " + bytes + "-byte access");
        }
    }

    /** Copies {@code len} bytes at {@code paddr} into {@code dst[off..]}. */
    public void read(long paddr, byte[] dst, int off, int len) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, paddr, dst, off, len);
    }

    /** Copies {@code src[off..off+len)} to {@code paddr}. */
    public void write(long paddr, byte[] src, int off, int len) {
        MemorySegment.copy(src, off, segment, ValueLayout.JAVA_BYTE, paddr, len);
    }

    public void zero(long paddr, long len) { segment.asSlice(paddr, len).fill((byte) 0); }

    public MemorySegment slice(long paddr, long len) { return segment.asSlice(paddr, len); }
}
