package ristretto.kernel.mem;

import java.util.ArrayList;
import java.util.List;
import ristretto.abi.UserEntry;
import ristretto.kernel.Kernel;
import ristretto.kernel.thread.Tcb;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * The code image: what an IP means for a Java thread. Each registered entry point occupies a
 * 16-byte slot of physical memory whose first word is {@code 0xC0DE << 48 | index}; the slots'
 * frames are mapped read+execute at {@link #BASE} into every space when SpaceControl initialises
 * it, like the KIP. Starting a thread at IP fetches that word through the MMU with execute
 * rights, so an IP is an ordinary address whose page can be mapped, unmapped and faulted on.
 */
public final class CodeImage {
    /** The tag in the first word of an entry slot: {@code 0xC0DE << 48 | index}. */
    static final int ENTRY_MAGIC = 0xC0DE;
    /** Virtual address of the image in every space, and its size (64 KiB, 4096 entries). */
    public static final long BASE = 0x0010_0000L;
    public static final int PAGES = 16;
    public static final long SIZE = PAGES * PhysicalMemory.PAGE_SIZE;
    private static final int SLOT = 16;

    private final Kernel kernel;
    private final long[] frames = new long[PAGES];
    private final List<UserEntry> entries = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    public CodeImage(Kernel kernel) {
        this.kernel = kernel;
        for (int i = 0; i < PAGES; i++) {
            frames[i] = kernel.kernelFrames.allocate();
            if (frames[i] < 0) throw new IllegalStateException("no kernel memory for the code image");
        }
    }

    /** Adds an entry point and answers its IP. */
    public long register(String name, UserEntry entry) {
        int index = entries.size();
        if ((long) (index + 1) * SLOT > SIZE) throw new IllegalStateException("code image full");
        entries.add(entry);
        names.add(name);
        long off = (long) index * SLOT;
        kernel.memory.store(frames[(int) (off / PhysicalMemory.PAGE_SIZE)] + off % PhysicalMemory.PAGE_SIZE,
                ((long) ENTRY_MAGIC << 48) | index);
        return BASE + off;
    }

    /** The entry named by an instruction word fetched at an IP, or null if it is no entry. */
    public UserEntry entryAt(long word) {
        if ((word >>> 48) != ENTRY_MAGIC) return null;
        long index = word & 0xFFFF_FFFFL;
        return index < entries.size() ? entries.get((int) index) : null;
    }

    /** The name an entry point was linked under, for reports; null if IP is no entry. */
    public String nameAt(long ip) {
        long index = (ip - BASE) / SLOT;
        return ip >= BASE && (ip - BASE) % SLOT == 0 && index < names.size() ? names.get((int) index) : null;
    }

    public void mapInto(Space s) {
        for (int i = 0; i < PAGES; i++)
            s.pageTable.set(Tcb.pageOf(BASE) + i, Pte.make(frames[i], Pte.R | Pte.X));
    }

    public static boolean overlaps(long base, long size) { return base < BASE + SIZE && BASE < base + size; }
}
