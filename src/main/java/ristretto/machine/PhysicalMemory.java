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
 *
 * <p>Addresses from {@link #size} up are not RAM: the machine routes them to its devices'
 * registers ({@link Io}, installed by {@link Machine}). Each access pays one compare for it, the
 * same test the segment's bounds check makes; RAM accesses allocate nothing and dispatch nothing.
 */
public final class PhysicalMemory {
    public static final int PAGE_BITS = 12;
    public static final long PAGE_SIZE = 1L << PAGE_BITS;
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt QUARTER = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment segment;
    private final long size;
    /** Where accesses above RAM go: the device bus (by default none: such an access is a machine bug). */
    private Io io = Io.NONE;

    /** The bus behind the addresses above RAM: device registers, each access one call. */
    public interface Io {
        /** A load of {@code bytes} (1, 2, 4 or 8) at {@code paddr} (≥ the size of RAM). */
        long load(long paddr, int bytes);

        void store(long paddr, long value, int bytes);

        /** No devices: an access above RAM is out of bounds, as for the segment itself. */
        Io NONE = new Io() {
            @Override public long load(long paddr, int bytes) { throw new IndexOutOfBoundsException("no memory at 0x" + Long.toHexString(paddr)); }

            @Override public void store(long paddr, long value, int bytes) { load(paddr, bytes); }
        };
    }

    public PhysicalMemory(long size) {
        if (size <= 0 || (size & (PAGE_SIZE - 1)) != 0) throw new IllegalArgumentException("size must be whole pages: " + size);
        this.size = size;
        this.segment = Arena.ofAuto().allocate(size, PAGE_SIZE);
    }

    public long size() { return size; }

    /** Installs the device bus behind the addresses above RAM (the machine does, once). */
    void connect(Io bus) { this.io = bus; }

    public long frames() { return size >>> PAGE_BITS; }

    /** The whole of physical memory; kernel code copies message words through it. */
    public MemorySegment segment() { return segment; }

    public boolean contains(long paddr, long len) { return paddr >= 0 && len >= 0 && paddr + len <= size; }

    public long load(long paddr) { return paddr < size ? segment.get(WORD, paddr) : io.load(paddr, 8); }

    public void store(long paddr, long value) {
        if (paddr < size) segment.set(WORD, paddr, value);
        else io.store(paddr, value, 8);
    }

    /**
     * Loads a little-endian value of {@code bytes} (1, 2, 4 or 8) bytes, zero-extended. The caller
     * (the MMU's user) has checked the size; any other is an error here.
     */
    public long load(long paddr, int bytes) {
        if (paddr >= size) return io.load(paddr, bytes);
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
        if (paddr >= size) {
            io.store(paddr, value, bytes);
            return;
        }
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
        if (paddr >= size) {                                   // device registers, byte by byte
            for (int i = 0; i < len; i++) dst[off + i] = (byte) io.load(paddr + i, 1);
            return;
        }
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, paddr, dst, off, len);
    }

    /** Copies {@code src[off..off+len)} to {@code paddr}. */
    public void write(long paddr, byte[] src, int off, int len) {
        if (paddr >= size) {
            for (int i = 0; i < len; i++) io.store(paddr + i, src[off + i], 1);
            return;
        }
        MemorySegment.copy(src, off, segment, ValueLayout.JAVA_BYTE, paddr, len);
    }

    public void zero(long paddr, long len) { segment.asSlice(paddr, len).fill((byte) 0); }

    public MemorySegment slice(long paddr, long len) { return segment.asSlice(paddr, len); }
}
