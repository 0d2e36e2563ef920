package ristretto.kernel.mem;

import java.util.ArrayList;
import java.util.List;
import ristretto.abi.UserEntry;
import ristretto.kernel.Kernel;
import ristretto.kernel.load.ProgramImage;
import ristretto.kernel.load.SpaceLoader;
import ristretto.kernel.thread.Tcb;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * The code image: what an IP means for a Java thread. Each registered entry point occupies a
 * 16-byte slot of physical memory whose first word is {@code 0xC0DE << 48 | index}; the slots'
 * frames are mapped read+execute at {@link #BASE} into every space when SpaceControl initialises
 * it, like the KIP. Starting a thread at IP fetches that word through the MMU with execute
 * rights, so an IP is an ordinary address whose page can be mapped, unmapped and faulted on.
 *
 * <p>An entry is Java code linked by a program, or a {@link ProgramImage}: a class that the
 * starting thread's space loads for itself. Code linked by a program that its space's
 * {@link SpaceLoader} loaded belongs to that space: a thread of any other space cannot execute it
 * ({@link Slot#executableIn}), as if the page were not mapped there — a program is put into a new
 * space as an image, never as code (and statics) of its creator. Code
 * linked by trusted host code (tests, Ristretto's own programs) has no owner and runs anywhere.
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
    private final List<Slot> slots = new ArrayList<>();

    /**
     * One entry point: {@code entry} (linked code) or {@code image} (a program to load), the name
     * it was linked under, and the loader of the program that linked it (null: trusted host code).
     */
    public record Slot(String name, UserEntry entry, ProgramImage image, SpaceLoader owner) {
        /** A thread of {@code s} may start here: unowned code, or code of its own space or of a space without programs. */
        public boolean executableIn(Space s) { return owner == null || s.loader == owner; }
    }

    public CodeImage(Kernel kernel) {
        this.kernel = kernel;
        for (int i = 0; i < PAGES; i++) {
            frames[i] = kernel.kernelFrames.allocate();
            if (frames[i] < 0) throw new IllegalStateException("no kernel memory for the code image");
        }
    }

    /** Adds an entry point of trusted host code and answers its IP. */
    public long register(String name, UserEntry entry) { return register(new Slot(name, entry, null, null)); }

    /** Adds an entry point and answers its IP. */
    public long register(Slot slot) {
        if ((slot.entry() == null) == (slot.image() == null)) throw new IllegalArgumentException("a slot holds code or an image");
        int index = slots.size();
        if ((long) (index + 1) * SLOT > SIZE) throw new IllegalStateException("code image full");
        slots.add(slot);
        long off = (long) index * SLOT;
        kernel.memory.store(frames[(int) (off / PhysicalMemory.PAGE_SIZE)] + off % PhysicalMemory.PAGE_SIZE,
                ((long) ENTRY_MAGIC << 48) | index);
        return BASE + off;
    }

    /** The entry named by an instruction word fetched at an IP, or null if it is no entry. */
    public Slot slotAt(long word) {
        if ((word >>> 48) != ENTRY_MAGIC) return null;
        long index = word & 0xFFFF_FFFFL;
        return index < slots.size() ? slots.get((int) index) : null;
    }

    /** The name an entry point was linked under, for reports; null if IP is no entry. */
    public String nameAt(long ip) {
        long index = (ip - BASE) / SLOT;
        return ip >= BASE && (ip - BASE) % SLOT == 0 && index < slots.size() ? slots.get((int) index).name() : null;
    }

    public void mapInto(Space s) {
        for (int i = 0; i < PAGES; i++)
            s.pageTable.set(Tcb.pageOf(BASE) + i, Pte.make(frames[i], Pte.R | Pte.X));
    }

    public static boolean overlaps(long base, long size) { return base < BASE + SIZE && BASE < base + size; }
}
