package ristretto.machine;

/**
 * One simulated processor: its TLB, the page table it currently translates with, and the time
 * of its next due event. Each CPU is driven by one host carrier thread.
 */
public final class Cpu {
    private final int id;
    private final Machine machine;
    private final Clock clock;
    private final Tlb tlb = new Tlb();
    private final EventQueue events = new EventQueue(EventQueue.DEVICE_BASE + Machine.MAX_DEVICES);
    private PageTable pageTable;
    private int asid;
    /**
     * Machine time at which the kernel must next look at its events: the earliest of
     * {@link #events()}, or earlier when an interrupt line was raised ({@link #requestCheck}).
     */
    private long nextEventNs = EventQueue.NONE;
    /** TLB misses so far (page-table walks of translations and of the window); read by the cost model. */
    private long tlbMisses;
    /** The temporary-mapping window of this CPU (seed 001), or its absence. */
    private final Window window = new Window();
    /** The cost model of string copies, or null when it is off (the default: then it costs nothing). */
    private CostModel costs;
    /** Details of the last failed translation. */
    private long faultAddress, faultAccess;
    /** Told whenever {@link #nextEventNs} moves earlier; see {@link #onEarlierEvent}. */
    private Runnable earlierEvent = () -> {};

    Cpu(Machine machine, int id) {
        this.machine = machine;
        this.clock = machine.clock();
        this.id = id;
    }

    public int id() { return id; }

    public Machine machine() { return machine; }

    public Tlb tlb() { return tlb; }

    /** Switches the address space the MMU translates with (no TLB flush: entries are tagged). */
    public void setAddressSpace(PageTable table, int spaceNumber) {
        this.pageTable = table;
        this.asid = spaceNumber;
    }

    public PageTable pageTable() { return pageTable; }

    public int asid() { return asid; }

    /** Charges {@code ns} of work to the clock; true when an event is due (time to check). */
    public boolean charge(long ns) { return clock.advance(ns) >= nextEventNs; }

    /** Requests an event check at the next opportunity (an interrupt line was raised). */
    public void requestCheck() {
        nextEventNs = Long.MIN_VALUE;
        earlierEvent.run();
        Thread w = hostWaiter;
        if (w != null) java.util.concurrent.locks.LockSupport.unpark(w);
    }

    /** The carrier parked in {@link #awaitHost}, or null. */
    private volatile Thread hostWaiter;

    /**
     * Parks the calling carrier for at most {@code maxNs} of host time, or until another thread
     * (host input) calls {@link #requestCheck}: how an idle CPU waits when only the host can wake
     * the machine, instead of letting the virtual clock race ahead of the host's input.
     */
    public void awaitHost(long maxNs) {
        hostWaiter = Thread.currentThread();
        try {
            if (nextEventNs != Long.MIN_VALUE) java.util.concurrent.locks.LockSupport.parkNanos(maxNs);
        } finally {
            hostWaiter = null;
        }
    }

    public EventQueue events() { return events; }

    /** Source {@code s} needs this CPU at {@code dueNs}: the next check comes no later. */
    public void post(int s, long dueNs) {
        events.post(s, dueNs);
        if (dueNs < nextEventNs) {
            nextEventNs = dueNs;
            earlierEvent.run();
        }
    }

    /**
     * Sets what runs whenever the time of the next event check moves earlier ({@link #post},
     * {@link #requestCheck}): the one moment at which a counter that promised the running code
     * "no event until then" must be cut short, as an OS reprograms its decrementer. The kernel's
     * instruction meter registers here. Called on the thread that posts.
     */
    public void onEarlierEvent(Runnable r) { earlierEvent = r; }

    /** After the kernel looked at its events: the next check is at the earliest one still posted. */
    public long rearm() { return nextEventNs = events.recompute(); }

    public long nextEventNs() { return nextEventNs; }

    /**
     * Translates {@code vaddr} for an access needing {@code access} rights (Pte.R/W/X) in
     * the current space. Answers the physical address, or -1 after recording a fault.
     */
    public long translate(long vaddr, long access) {
        long vpn = vaddr >>> PhysicalMemory.PAGE_BITS;
        long pte = tlb.lookup(asid, vpn);
        // One test on a hit: the rights the access needs, and its status bit already set in the
        // page table (the TLB entry remembers which, as on hardware, so the common access stores nothing).
        long need = access | (access << Pte.STATUS_SHIFT);
        if ((pte & need) != need) return translateSlow(pageTable, asid, vaddr, vpn, access, pte);
        return Pte.frame(pte) | (vaddr & (PhysicalMemory.PAGE_SIZE - 1));
    }

    /**
     * {@link #translate} in another space's table {@code table} (address-space number {@code
     * space}) without switching to it: how the kernel reaches a receiver's buffer when it copies
     * out of its own buffer (copy in / copy out). The TLB is tagged, so the entries it fills are
     * the receiver's own.
     */
    public long translateIn(PageTable table, int space, long vaddr, long access) {
        long vpn = vaddr >>> PhysicalMemory.PAGE_BITS;
        long pte = tlb.lookup(space, vpn);
        long need = access | (access << Pte.STATUS_SHIFT);
        if ((pte & need) != need) return translateSlow(table, space, vaddr, vpn, access, pte);
        return Pte.frame(pte) | (vaddr & (PhysicalMemory.PAGE_SIZE - 1));
    }

    /**
     * A TLB miss, an access the entry's rights refuse, or the first access of its kind to the page
     * since its status bits were last reset: the page table decides, the access's status bit is set
     * there (only when the access is allowed), and the TLB entry is refilled with it.
     */
    private long translateSlow(PageTable table, int space, long vaddr, long vpn, long access, long cached) {
        long pte = cached;
        if (pte == 0) {
            tlbMisses++;
            pte = table == null || vaddr < 0 || vaddr >= PageTable.VA_LIMIT ? 0 : table.lookup(vpn);
            if (!Pte.valid(pte)) return fault(vaddr, access);
        }
        if ((pte & access) != access) return fault(vaddr, access);
        pte = table.markStatus(vpn, access);
        if (!Pte.valid(pte)) return fault(vaddr, access);     // (a TLB entry outliving its mapping is a kernel bug)
        tlb.fill(space, vpn, pte);
        return Pte.frame(pte) | (vaddr & (PhysicalMemory.PAGE_SIZE - 1));
    }

    // ------------------------------------------------------------ the temporary-mapping window

    /** The TLB tag of window entries: no address space has it, so user translations never hit them. */
    public static final int WINDOW_ASID = -1;
    /** Leaves (2 MiB each) the window shows at once: 4 MiB, as the seed's two 4 MB directory entries cover a string. */
    public static final int WINDOW_LEAVES = 2;
    /** First virtual page of the window: just above the 48-bit user area, where no user address reaches. */
    static final long WINDOW_VPN = PageTable.VA_LIMIT >>> PhysicalMemory.PAGE_BITS;

    /**
     * The window's state: which table's leaves it shows ({@code source}) from which page on
     * ({@code firstVpn}, a multiple of 512), the leaves themselves (shared, not copied: a page the
     * source maps later is seen at once), and whether any of it is in use.
     */
    private static final class Window {
        PageTable source;
        long firstVpn;
        final long[][] leaves = new long[WINDOW_LEAVES][];
        boolean active;
        long selections;
    }

    /**
     * Translates {@code vaddr} of the space whose table is {@code source} through this CPU's
     * temporary-mapping window (seed 001): if the window does not show that part of {@code source},
     * it is pointed there first — its leaves become {@code source}'s, as the seed copies two
     * page-directory entries of the receiver — and the address is translated as the window's own,
     * through the TLB under {@link #WINDOW_ASID}. Answers the physical address, or -1 after
     * recording a fault. The window lasts until {@link #invalidateWindow}, which the kernel calls
     * at every thread switch.
     */
    public long translateWindow(PageTable source, long vaddr, long access) {
        long vpn = vaddr >>> PhysicalMemory.PAGE_BITS;
        if (vaddr < 0 || vaddr >= PageTable.VA_LIMIT) return fault(vaddr, access);
        Window w = window;
        if (!w.active || w.source != source || vpn < w.firstVpn || vpn - w.firstVpn >= (long) WINDOW_LEAVES << 9)
            selectWindow(source, vpn);
        long wvpn = WINDOW_VPN + (vpn - w.firstVpn);
        long pte = tlb.lookup(WINDOW_ASID, wvpn);
        long need = access | (access << Pte.STATUS_SHIFT);
        if ((pte & need) != need) {
            if (pte == 0) tlbMisses++;
            int slot = (int) ((vpn - w.firstVpn) >>> 9);
            long[] leaf = w.leaves[slot];
            if (leaf == null) leaf = w.leaves[slot] = source.leaf(w.firstVpn + ((long) slot << 9));   // made since
            pte = leaf == null ? 0 : leaf[(int) vpn & 511];
            if (!Pte.valid(pte) || (pte & access) != access) return fault(vaddr, access);
            pte = source.markStatus(vpn, access);
            tlb.fill(WINDOW_ASID, wvpn, pte);
        }
        return Pte.frame(pte) | (vaddr & (PhysicalMemory.PAGE_SIZE - 1));
    }

    private void selectWindow(PageTable source, long vpn) {
        Window w = window;
        if (w.active) tlb.flushSpace(WINDOW_ASID);
        w.source = source;
        w.firstVpn = vpn & ~511L;
        for (int i = 0; i < WINDOW_LEAVES; i++) w.leaves[i] = source.leaf(w.firstVpn + ((long) i << 9));
        w.active = true;
        w.selections++;
    }

    /** Closes the window and forgets its translations (at every thread switch, and when a mapping changes). */
    public void invalidateWindow() {
        Window w = window;
        if (!w.active) return;
        w.active = false;
        w.source = null;
        java.util.Arrays.fill(w.leaves, null);
        tlb.flushSpace(WINDOW_ASID);
    }

    /** How often the window was pointed at a part of a space (the seed's "select dest area"). */
    public long windowSelections() { return window.selections; }

    public long tlbMisses() { return tlbMisses; }

    /** The cost model of string copies, or null when off. */
    public CostModel costs() { return costs; }

    public void setCostModel(CostModel c) { this.costs = c; }

    private long fault(long vaddr, long access) {
        faultAddress = vaddr;
        faultAccess = access;
        return -1;
    }

    public long faultAddress() { return faultAddress; }

    public long faultAccess() { return faultAccess; }
}
