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
    private final EventQueue events = new EventQueue(EventQueue.DEVICE_BASE);
    private PageTable pageTable;
    private int asid;
    /**
     * Machine time at which the kernel must next look at its events: the earliest of
     * {@link #events()}, or earlier when an interrupt line was raised ({@link #requestCheck}).
     */
    private long nextEventNs = EventQueue.NONE;
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
        if ((pte & need) != need) return translateSlow(vaddr, vpn, access, pte);
        return Pte.frame(pte) | (vaddr & (PhysicalMemory.PAGE_SIZE - 1));
    }

    /**
     * A TLB miss, an access the entry's rights refuse, or the first access of its kind to the page
     * since its status bits were last reset: the page table decides, the access's status bit is set
     * there (only when the access is allowed), and the TLB entry is refilled with it.
     */
    private long translateSlow(long vaddr, long vpn, long access, long cached) {
        long pte = cached;
        if (pte == 0) {
            pte = pageTable == null || vaddr < 0 || vaddr >= PageTable.VA_LIMIT ? 0 : pageTable.lookup(vpn);
            if (!Pte.valid(pte)) return fault(vaddr, access);
        }
        if ((pte & access) != access) return fault(vaddr, access);
        pte = pageTable.markStatus(vpn, access);
        if (!Pte.valid(pte)) return fault(vaddr, access);     // (a TLB entry outliving its mapping is a kernel bug)
        tlb.fill(asid, vpn, pte);
        return Pte.frame(pte) | (vaddr & (PhysicalMemory.PAGE_SIZE - 1));
    }

    private long fault(long vaddr, long access) {
        faultAddress = vaddr;
        faultAccess = access;
        return -1;
    }

    public long faultAddress() { return faultAddress; }

    public long faultAccess() { return faultAccess; }
}
