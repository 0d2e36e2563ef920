package ristretto.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import ristretto.abi.Fpage;
import ristretto.abi.MsgTag;
import ristretto.kernel.Kernel;
import ristretto.kernel.mem.MappingNode;
import ristretto.kernel.mem.Space;
import ristretto.machine.Machine;
import ristretto.machine.PhysicalMemory;
import ristretto.system.Ristretto;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Pager;
import ristretto.user.Program;
import ristretto.user.Threads;

/**
 * A booted Ristretto system exercising the memory mechanisms — page-fault IPC, map items, Unmap,
 * user loads and stores — driven by the host one batch at a time like {@link PingPongSystem}: the
 * thread doing the measured work sleeps 1 µs between batches, the CPU idles, and
 * {@link Ristretto#runUntilIdle()} returns to the host.
 *
 * <p>What a batch leaves behind (the pages it mapped, the trees it revoked) is put back by
 * {@link #prepare()}, which the benchmark calls before every batch outside the timed region
 * (JMH {@code Level.Invocation}); it works on the kernel's mapping database directly
 * ({@code MappingDb.unmap} to revoke what a batch mapped, {@code MappingDb.map} to build the
 * trees an unmap batch revokes), with the same page-table writes and TLB flushes as the system
 * calls. Every batch checks that it did its work: the number of operations its user thread
 * counted, and the number of mappings in the space it changed.
 *
 * <p>Kinds ({@link #forVariant}):
 * <ul>
 * <li>{@link #fault}: a client in its own space reads one word of each of {@code pages} unmapped
 *     pages; each read faults, the kernel sends the fault message to the client's pager (the root
 *     task, running {@link Pager#serve}), which replies with one map item of a page of its own
 *     region, and the read is retried. Per batch: {@code pages} fault round trips.</li>
 * <li>{@link #map}: the root task Calls a receiver in another space {@code ipcs} times, each
 *     message one map item of a {@code 2^log2} fpage of its region; the receiver moves its receive
 *     window to a fresh slot each time and replies empty. Per batch: {@code ipcs * 2^(log2-12)} pages.</li>
 * <li>{@link #unmap}: before each batch the host maps each of {@code trees} pages of the root task
 *     {@code perTree} times into a second space (a fan-out of {@code perTree} mappings); the batch
 *     is the root task's Unmap system call (L4_UnmapFpage, no flush) on each page. Per batch:
 *     {@code trees * perTree} mappings revoked.</li>
 * <li>{@link #access}: the root task loads (or stores) {@code batch} words of {@code pages} pages of
 *     its own region (all in the TLB), at word addresses from a linear congruential sequence.</li>
 * </ul>
 * Not thread-safe, like the machine it drives.
 */
public final class MemorySystem {
    static final long PAGE = PhysicalMemory.PAGE_SIZE;
    /** The root task's 16 MiB region, mapped 1:1 from sigma0 before its main starts. */
    static final long REGION = 0x100_0000L;
    /** Where the pages a client faults on, a receiver accepts mappings, or the unmap trees go, in the second space. */
    static final long CLIENT_BASE = 0x4000_0000L;
    /** The root task's pages that are mapped on (fault pool, map source, unmap tree roots): its region's upper half. */
    static final long SOURCE = REGION + (8L << 20);
    /** The pages the access cases load and store (lower half of the region, in the TLB). */
    static final long ACCESS_BASE = REGION + (1L << 20);
    /** The linear congruential sequence of the access cases (Knuth's MMIX constants). */
    static final long LCG_A = 6364136223846793005L, LCG_C = 1442695040888963407L;

    private final String name;
    private final Ristretto system;
    private final Kernel kernel;
    /** Operations per batch, counted by the working user thread into {@link #ops}. */
    private final long perBatch;
    /** Written by user threads: operations done, faults served, whether the worker reached its first batch, an IPC error. */
    private long ops, faults, sink;
    private boolean started;
    private long failedTag;
    /** The second space's thread (client, receiver, holder of the unmap trees), and the root task's and its spaces. */
    private long otherId;
    private Space rootSpace, otherSpace;
    private int baseMappings;
    private boolean prepared;
    private final Kind kind;
    private final int a, b;
    private final List<String> kernelReports = Collections.synchronizedList(new ArrayList<>());

    private enum Kind { FAULT, MAP, UNMAP, LOAD, STORE }

    private MemorySystem(String name, Kind kind, int a, int b, long perBatch, Function<MemorySystem, Program> rootFor) {
        this.name = name;
        this.kind = kind;
        this.a = a;
        this.b = b;
        this.perBatch = perBatch;
        this.system = Ristretto.boot(Machine.Config.defaults(), Kernel.Options.defaults(), rootFor.apply(this));
        this.kernel = system.kernel();
        kernel.setConsole(kernelReports::add);
        for (int step = 0; !started; step++) {
            String halt = system.runUntilIdle();
            if (halt != null || step > 100 || !kernelReports.isEmpty())
                throw new IllegalStateException(name + ": did not reach its first batch: "
                        + (halt != null ? halt : step > 100 ? "too many steps" : kernelReports));
        }
        rootSpace = kernel.threads.lookupGlobal(kernel.rootTaskId()).space;
        if (otherId != 0) {
            otherSpace = kernel.threads.lookupGlobal(otherId).space;
            baseMappings = otherSpace.mappingCount();
        }
    }

    /**
     * The system for a case's variant: {@code fault}, {@code map.N} (N pages in one map item,
     * a power of two), {@code unmap.N} (N mappings in one tree), {@code load} or {@code store}.
     */
    public static MemorySystem forVariant(String variant) {
        String[] p = variant.split("\\.");
        return switch (p[0]) {
            case "fault" -> fault(FAULT_BATCH);
            case "map" -> {
                int pages = Integer.parseInt(p[1]);
                if (Integer.bitCount(pages) != 1) throw new IllegalArgumentException("map.N: N a power of two");
                yield map(12 + Integer.numberOfTrailingZeros(pages), MAP_BATCH_PAGES / pages);
            }
            case "unmap" -> {
                int n = Integer.parseInt(p[1]);
                yield unmap(n, n == 1 ? UNMAP_SMALL_BATCH : Math.max(1, UNMAP_BATCH / n));
            }
            case "load" -> access(false, ACCESS_PAGES, ACCESS_BATCH);
            case "store" -> access(true, ACCESS_PAGES, ACCESS_BATCH);
            default -> throw new IllegalArgumentException("unknown memory variant: " + variant);
        };
    }

    /** Faults per batch. */
    public static final int FAULT_BATCH = 1000;
    /** Pages mapped per batch, whatever the pages per item. */
    public static final int MAP_BATCH_PAGES = 4096;
    /** Mappings revoked per batch for trees of 1,000 and more mappings. */
    public static final int UNMAP_BATCH = 100_000;
    /** Trees (one mapping each) revoked per batch for {@code unmap.1}. */
    public static final int UNMAP_SMALL_BATCH = 2000;
    /** Loads or stores per batch, over {@link #ACCESS_PAGES} pages. */
    public static final int ACCESS_BATCH = 100_000;
    /** Pages the access cases touch: well within the 64-entry TLB. */
    public static final int ACCESS_PAGES = 16;

    /** A client faulting on {@code pages} fresh pages per batch, served by the root task as its pager. */
    public static MemorySystem fault(int pages) {
        if (pages < 1 || pages > 2048) throw new IllegalArgumentException("1..2048 pages");
        return new MemorySystem("fault", Kind.FAULT, pages, 0, pages, host -> new Program() {
            long clientIp;

            @Override public void link(Linker l) {
                clientIp = l.entry("memory.fault.client", l4 -> {
                    host.started = true;
                    while (true) {
                        l4.sleep(PingPongSystem.STEP_SLEEP);             // the CPU idles: back to the host
                        long s = 0;
                        for (int i = 0; i < pages; i++) s += l4.load(CLIENT_BASE + i * PAGE);
                        host.sink += s;
                        host.ops += pages;
                    }
                });
            }

            @Override public void main(L4 l4) {
                host.otherId = new Threads(l4).inNewSpace(clientIp, 0);
                Pager.serve(l4, (me, client, address, access) -> {
                    long i = (address - CLIENT_BASE) >>> 12;
                    if (client != host.otherId || i < 0 || i >= pages) return Fpage.NIL;
                    host.faults++;
                    return Fpage.log2(SOURCE + i * PAGE, 12, Fpage.RWX);
                });
            }
        });
    }

    /** The root task maps a {@code 2^log2} fpage to a receiver in another space {@code ipcs} times per batch. */
    public static MemorySystem map(int log2, int ipcs) {
        if (log2 < 12 || log2 > 22 || ipcs < 1 || ((long) ipcs << log2) > (1L << 30)) throw new IllegalArgumentException("map: 2^12..2^22, at most 1 GiB");
        long size = 1L << log2;
        return new MemorySystem("map." + (size / PAGE), Kind.MAP, log2, ipcs, ipcs * (size / PAGE), host -> new Program() {
            long receiverIp;

            @Override public void link(Linker l) {
                receiverIp = l.entry("memory.map.receiver", l4 -> {
                    l4.setReceiveWindow(Fpage.log2(CLIENT_BASE, log2));
                    l4.waitAny();
                    for (long k = 1; ; k++) {                            // window k mod ipcs for the k-th message
                        l4.setReceiveWindow(Fpage.log2(CLIENT_BASE + (k % ipcs) * size, log2));
                        l4.loadMsg(0);
                        l4.replyWait(l4.from());
                    }
                });
            }

            @Override public void main(L4 l4) {
                long receiver = new Threads(l4).inNewSpace(receiverIp, 0);
                host.otherId = receiver;
                long fpage = Fpage.log2(SOURCE, log2, Fpage.RWX);
                host.started = true;
                while (true) {
                    l4.sleep(PingPongSystem.STEP_SLEEP);                 // the CPU idles: back to the host
                    for (int k = 0; k < ipcs; k++) {
                        l4.loadMapItem(fpage, 0);
                        long tag = l4.call(receiver);
                        if (MsgTag.isError(tag)) host.failedTag = tag;
                    }
                    host.ops += ipcs * (size / PAGE);
                }
            }
        });
    }

    /** The root task unmaps {@code trees} of its pages per batch, each mapped {@code perTree} times into another space. */
    public static MemorySystem unmap(int perTree, int trees) {
        if (perTree < 1 || trees < 1 || trees > 2048 || (long) perTree * trees > 1 << 20)
            throw new IllegalArgumentException("unmap: 1..2048 trees, at most 2^20 mappings");
        return new MemorySystem("unmap." + perTree, Kind.UNMAP, perTree, trees, (long) perTree * trees, host -> new Program() {
            long holderIp;

            @Override public void link(Linker l) {
                holderIp = l.entry("memory.unmap.holder", l4 -> {
                    while (true) l4.waitAny();                           // only its space matters
                });
            }

            @Override public void main(L4 l4) {
                host.otherId = new Threads(l4).inNewSpace(holderIp, 0);
                host.started = true;
                while (true) {
                    l4.sleep(PingPongSystem.STEP_SLEEP);                 // the CPU idles: back to the host
                    for (int k = 0; k < trees; k++) l4.unmapFpage(Fpage.log2(SOURCE + k * PAGE, 12, Fpage.RWX));
                    host.ops += (long) perTree * trees;
                }
            }
        });
    }

    /** The root task loads (or stores) {@code batch} words of {@code pages} of its pages per batch. */
    public static MemorySystem access(boolean store, int pages, int batch) {
        if (Integer.bitCount(pages) != 1 || pages > 64) throw new IllegalArgumentException("access: a power of two of at most 64 pages");
        int wordMask = pages * (int) (PAGE / 8) - 1;
        return new MemorySystem(store ? "store" : "load", store ? Kind.STORE : Kind.LOAD, pages, batch, batch, host -> new Program() {
            @Override public void link(Linker l) {}

            @Override public void main(L4 l4) {
                for (int i = 0; i <= wordMask; i++) l4.store(ACCESS_BASE + i * 8L, i);
                long x = 1;
                host.started = true;
                while (true) {
                    l4.sleep(PingPongSystem.STEP_SLEEP);                 // the CPU idles: back to the host
                    long s = 0;
                    if (store) {
                        for (int i = 0; i < batch; i++) {
                            x = x * LCG_A + LCG_C;
                            l4.store(ACCESS_BASE + (((x >>> 32) & wordMask) << 3), x);
                        }
                    } else {
                        for (int i = 0; i < batch; i++) {
                            x = x * LCG_A + LCG_C;
                            s += l4.load(ACCESS_BASE + (((x >>> 32) & wordMask) << 3));
                        }
                    }
                    host.sink += s + x;
                    host.ops += batch;
                }
            }
        });
    }

    /**
     * Puts back what the last batch changed, outside the timed region: revokes what the fault
     * and map batches mapped into the second space (MappingDb.unmap of the root task's source
     * pages, keeping them), or builds the trees the next unmap batch revokes (MappingDb.map).
     */
    public void prepare() {
        switch (kind) {
            case FAULT -> revokeDerived(a);
            case MAP -> revokeDerived(1 << (a - 12));
            case UNMAP -> {
                long vpn = CLIENT_BASE >>> PhysicalMemory.PAGE_BITS;
                for (int k = 0; k < b; k++) {
                    MappingNode from = sourceNode(k);
                    for (int j = 0; j < a; j++)
                        if (kernel.mappings.map(from, otherSpace, vpn++, Fpage.RWX) == null)
                            throw new IllegalStateException(name + ": could not build the tree");
                }
            }
            default -> {}
        }
        int expected = kind == Kind.UNMAP ? baseMappings + a * b : baseMappings;
        if (otherSpace != null && otherSpace.mappingCount() != expected)
            throw new IllegalStateException(name + ": " + otherSpace.mappingCount() + " mappings before the batch, not " + expected);
        prepared = true;
    }

    private MappingNode sourceNode(int k) {
        MappingNode n = rootSpace.mapping((SOURCE >>> PhysicalMemory.PAGE_BITS) + k);
        if (n == null) throw new IllegalStateException(name + ": the root task's page " + k + " is not mapped");
        return n;
    }

    private void revokeDerived(int pages) {
        for (int k = 0; k < pages; k++) kernel.mappings.unmap(sourceNode(k), Fpage.RWX, false);
    }

    /**
     * Runs one batch: the machine runs until the working thread has done its {@link #perBatch()}
     * operations and idles again. Checks that it did (and, for fault, map and unmap, that the
     * second space gained or lost that many mappings); answers a value of the results.
     */
    public long batch() {
        if (kind != Kind.LOAD && kind != Kind.STORE && !prepared) throw new IllegalStateException(name + ": batch without prepare");
        prepared = false;
        long before = ops, faultsBefore = faults;
        String halt = system.runUntilIdle();
        long mappings = otherSpace == null ? 0 : otherSpace.mappingCount() - baseMappings;
        long expectedMappings = switch (kind) {
            case FAULT, MAP -> perBatch;
            default -> 0;
        };
        if (halt != null || ops != before + perBatch || failedTag != 0 || !kernelReports.isEmpty()
                || mappings != expectedMappings || (kind == Kind.FAULT && faults != faultsBefore + perBatch))
            throw new IllegalStateException(name + ": step did " + (ops - before) + " operations, not " + perBatch
                    + "; " + mappings + " mappings in the second space, not " + expectedMappings
                    + (kind == Kind.FAULT ? "; " + (faults - faultsBefore) + " faults" : "")
                    + (halt != null ? "; machine halted: " + halt : "") + (failedTag != 0 ? "; IPC failed" : "")
                    + (kernelReports.isEmpty() ? "" : "; kernel: " + kernelReports));
        return sink + ops;
    }

    /** Operations (faults, pages, mappings, accesses) per batch. */
    public long perBatch() { return perBatch; }

    /** Operations done so far. */
    public long ops() { return ops; }

    /** Faults the pager served so far. */
    public long faults() { return faults; }

    /** Mappings in the second space beyond those it had when the system started, or 0 if there is none. */
    public int extraMappings() { return otherSpace == null ? 0 : otherSpace.mappingCount() - baseMappings; }

    /** The second space's mapping at {@code vaddr}, or null. */
    public MappingNode otherMapping(long vaddr) { return otherSpace.mapping(vaddr >>> PhysicalMemory.PAGE_BITS); }

    public String name() { return name; }

    public Ristretto system() { return system; }
}
