package ristretto.machine;

/**
 * Hands out zeroed 4 KiB frames from a contiguous region of physical memory: a bump pointer
 * over never-used frames plus a stack of freed ones. Answers -1 when the region is exhausted.
 */
public final class FrameAllocator {
    private final PhysicalMemory memory;
    private final long base, end;
    private long next;
    private long[] free = new long[64];
    private int freeCount;

    public FrameAllocator(PhysicalMemory memory, long base, long end) {
        if ((base | end) % PhysicalMemory.PAGE_SIZE != 0 || base > end || !memory.contains(base, end - base))
            throw new IllegalArgumentException("bad frame region");
        this.memory = memory;
        this.base = base;
        this.end = end;
        this.next = base;
    }

    /** A zeroed frame's physical address, or -1 if none is left. */
    public long allocate() {
        long f;
        if (freeCount > 0) f = free[--freeCount];
        else if (next < end) { f = next; next += PhysicalMemory.PAGE_SIZE; }
        else return -1;
        memory.zero(f, PhysicalMemory.PAGE_SIZE);
        return f;
    }

    public void release(long frame) {
        if (frame < base || frame >= end) throw new IllegalArgumentException("foreign frame");
        if (freeCount == free.length) free = java.util.Arrays.copyOf(free, free.length * 2);
        free[freeCount++] = frame;
    }

    public long base() { return base; }

    public long end() { return end; }

    public long freeFrames() { return ((end - next) >>> PhysicalMemory.PAGE_BITS) + freeCount; }
}
