package ristretto.abi;

/**
 * Kernel Interface Page layout, 64-bit byte offsets (§12). The KIP is one 4 KiB page that the
 * kernel maps into every address space at its KIP area.
 */
public final class Kip {
    private Kip() {}

    public static final int SIZE = 4096;
    public static final int LOG2_SIZE = 12;

    /** Magic bytes 'L' '4' 0xE6 'K', little-endian in word 0. */
    public static final long MAGIC = 0x4BE6344CL;
    /** ApiVersion: version 0x84 (X.2) in bits 24-31, subversion 0x05 in 16-23. */
    public static final long API_VERSION = (0x84L << 24) | (0x05L << 16);
    /** ApiFlags: little-endian (ee = 0), 64-bit (ww = 1). */
    public static final long API_FLAGS = 1L << 2;

    public static final int MAGIC_OFF = 0x00;
    public static final int API_VERSION_OFF = 0x08;
    public static final int API_FLAGS_OFF = 0x10;
    public static final int KERNEL_DESC_PTR_OFF = 0x18;
    public static final int SIGMA0_OFF = 0x40;      // SP, IP, memory low, high
    public static final int SIGMA1_OFF = 0x60;
    public static final int ROOT_SERVER_OFF = 0x80;
    public static final int MEMORY_INFO_OFF = 0xA8;
    public static final int UTCB_AREA_INFO_OFF = 0x150;
    public static final int KIP_AREA_INFO_OFF = 0x158;
    public static final int BOOT_INFO_OFF = 0x170;
    public static final int PROC_DESC_PTR_OFF = 0x178;
    public static final int CLOCK_INFO_OFF = 0x180;
    public static final int THREAD_INFO_OFF = 0x188;
    public static final int PAGE_INFO_OFF = 0x190;
    public static final int PROCESSOR_INFO_OFF = 0x198;
    public static final int SYSCALLS_OFF = 0x1A0;   // 11 entry words

    /** Where the kernel places the variable parts inside the page. */
    public static final int KERNEL_DESC_OFF = 0x300;
    public static final int PROC_DESC_OFF = 0x400;
    public static final int MEM_DESC_OFF = 0x600;

    /** Memory descriptor types (§12.2). */
    public static final int MEM_UNDEFINED = 0, MEM_CONVENTIONAL = 1, MEM_RESERVED = 2,
            MEM_DEDICATED = 3, MEM_SHARED = 4, MEM_BOOTLOADER = 0xE, MEM_ARCH = 0xF;

    public static long threadInfo(int t, int systemBase, int userBase) {
        return (t & 0xFF) | ((long) (systemBase & 0xFFF) << 8) | ((long) (userBase & 0xFFF) << 20);
    }

    public static int threadBits(long threadInfo) { return (int) (threadInfo & 0xFF); }

    public static int systemBase(long threadInfo) { return (int) ((threadInfo >>> 8) & 0xFFF); }

    public static int userBase(long threadInfo) { return (int) ((threadInfo >>> 20) & 0xFFF); }

    public static long utcbAreaInfo(int m, int a, int s) {
        return (m & 0x3FF) | ((long) (a & 0x3F) << 10) | ((long) (s & 0x3F) << 16);
    }

    public static int utcbAlignLog2(long info) { return (int) ((info >>> 10) & 0x3F); }

    public static int utcbMinAreaLog2(long info) { return (int) ((info >>> 16) & 0x3F); }

    public static int utcbSize(long info) { return (int) (info & 0x3FF) << utcbAlignLog2(info); }

    public static long memoryInfo(int count, int offset) { return ((long) offset << 32) | count; }

    public static long memDescWord0(long low, int type, boolean virtual) {
        return (low & ~0x3FFL) | (virtual ? 1 << 9 : 0) | (type & 0xF);
    }

    public static long memDescWord1(long highInclusive) { return highInclusive & ~0x3FFL; }

    public static long clockInfo(int readPrecisionMicros, int schedulePrecisionMicros) {
        return (readPrecisionMicros & 0xFFFF) | ((long) (schedulePrecisionMicros & 0xFFFF) << 16);
    }

    public static long processorInfo(int cpus, int log2DescSize) {
        return ((cpus - 1) & 0xFFFF) | ((long) (log2DescSize & 0xF) << 60);
    }

    public static int processors(long info) { return (int) (info & 0xFFFF) + 1; }
}
