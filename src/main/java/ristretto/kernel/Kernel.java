package ristretto.kernel;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import ristretto.abi.ThreadId;
import ristretto.abi.UserEntry;
import ristretto.kernel.debug.Invariants;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.load.Loading;
import ristretto.kernel.load.ProgramImage;
import ristretto.kernel.load.SpaceLoader;
import ristretto.kernel.mem.CodeImage;
import ristretto.kernel.mem.Faults;
import ristretto.kernel.mem.MappingDb;
import ristretto.kernel.mem.MappingReport;
import ristretto.kernel.mem.Space;
import ristretto.kernel.mem.Spaces;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.ThreadState;
import ristretto.kernel.thread.ThreadTable;
import ristretto.machine.FrameAllocator;
import ristretto.machine.Machine;
import ristretto.machine.PhysicalMemory;

/**
 * The kernel of one machine, as the rest of the system sees it: built by {@link Boot}, run by
 * {@link #run}, inspected through a few read-only queries. Its parts live in the packages of
 * each concern ({@code thread}, {@code syscall}, {@code ipc}, {@code mem}, {@code sched},
 * {@code time}, {@code debug}); the fields below are their shared context.
 */
public final class Kernel {
    /** KernelId word of the kernel descriptor: id 0x52 ('R'istretto), subid 1. */
    public static final long KERNEL_ID = (0x52L << 24) | (1L << 16);

    /**
     * How string items travel between spaces (seed 000/001; chosen at boot): through a per-CPU
     * kernel buffer, copied in and copied out, or once through a temporary mapping of the
     * receiver's buffer into a per-CPU kernel window of the sender's context.
     */
    public enum Copy { COPY_IN_OUT, TEMPORARY_MAPPING }

    /**
     * Kernel options: the IPC optimizations (each with an off switch), checking, the string copy
     * strategy and the cost model of string copies (off unless asked for).
     */
    public record Options(boolean fastPath, boolean lazyScheduling, boolean directSwitch,
                          boolean checkedMode, boolean tracing, int threadBits, Copy copy, boolean costModel) {
        public static Options defaults() { return new Options(true, true, true, false, false, 18, Copy.TEMPORARY_MAPPING, false); }

        public Options withFastPath(boolean b) { return new Options(b, lazyScheduling, directSwitch, checkedMode, tracing, threadBits, copy, costModel); }

        public Options withLazyScheduling(boolean b) { return new Options(fastPath, b, directSwitch, checkedMode, tracing, threadBits, copy, costModel); }

        public Options withDirectSwitch(boolean b) { return new Options(fastPath, lazyScheduling, b, checkedMode, tracing, threadBits, copy, costModel); }

        public Options withCheckedMode(boolean b) { return new Options(fastPath, lazyScheduling, directSwitch, b, tracing, threadBits, copy, costModel); }

        public Options withTracing(boolean b) { return new Options(fastPath, lazyScheduling, directSwitch, checkedMode, b, threadBits, copy, costModel); }

        public Options withThreadBits(int t) { return new Options(fastPath, lazyScheduling, directSwitch, checkedMode, tracing, t, copy, costModel); }

        public Options withCopy(Copy c) { return new Options(fastPath, lazyScheduling, directSwitch, checkedMode, tracing, threadBits, c, costModel); }

        public Options withCostModel(boolean b) { return new Options(fastPath, lazyScheduling, directSwitch, checkedMode, tracing, threadBits, copy, b); }
    }

    public final Machine machine;
    public final PhysicalMemory memory;
    public final MemorySegment phys;
    public final Options options;
    public final boolean fastPath, lazyScheduling, directSwitch, checkedMode;
    public boolean tracing;
    /** Non-zero when a fast-path commit has extra work (tracing, eager queues): one check. */
    public int fastPathExtras;
    public final long costEntryNs, costMemoryNs;
    /**
     * Virtual time per bytecode instruction of user code ({@code Machine.Config.instructionNs}),
     * and the costs of a kernel entry and a memory access in bytecodes, rounded up: what the
     * instruction meter ({@code sched.Meter}) takes from its budget for them.
     */
    public final long instructionNs;
    public final int entryBytecodes, accessBytecodes;
    /**
     * Whether a user memory access costs a whole number of bytecodes on the virtual clock: then
     * the access only takes that from the meter's budget, as a yieldpoint does, and the clock
     * catches up at the next settlement ({@code TrapGate}); otherwise each access is charged to
     * the clock itself.
     */
    public final boolean accessInBudget;
    public final int threadBits, systemBase, userBase;
    public final ThreadTable threads;
    public final Processor[] processors;
    public final FrameAllocator kernelFrames;
    /** Where kernel memory begins (KIP, code image, UTCBs, kernel buffers: never mapped into any space). */
    public final long kernelMemoryBase;
    public final Spaces spaces;
    /** The mapping database: who mapped which frame to whom; every page-table change goes through {@link #flushTlbPage}. */
    public final MappingDb mappings;
    public final CodeImage code;
    /** The interrupt threads (§13.3). */
    public final ristretto.kernel.irq.Interrupts interrupts;
    public final Trace trace;
    public long kipFrame;
    /** Machine time at which the processors halt even if threads are still runnable. */
    public long timeLimitNs = Long.MAX_VALUE;
    private Consumer<String> console = System.out::println;
    /** Where program images come from and how their classes are transformed. */
    private Loading loading = Loading.NONE;
    /** Thread IDs of the root servers, set at boot. */
    long sigma0Id, sigma1Id, rootId;

    Kernel(Machine machine, Options options, long kernelMemoryBase) {
        this.machine = machine;
        this.memory = machine.memory();
        this.phys = memory.segment();
        this.options = options;
        // The fast path switches directly; without direct switch every IPC takes the slow path.
        this.fastPath = options.fastPath() && options.directSwitch();
        this.lazyScheduling = options.lazyScheduling();
        this.directSwitch = options.directSwitch();
        this.checkedMode = options.checkedMode();
        setTracing(options.tracing());
        this.costEntryNs = machine.config().kernelEntryNs();
        this.costMemoryNs = machine.config().memoryAccessNs();
        this.instructionNs = machine.config().instructionNs();
        this.entryBytecodes = inBytecodes(costEntryNs);
        this.accessBytecodes = inBytecodes(costMemoryNs);
        this.accessInBudget = machine.clock().isVirtual() && accessBytecodes > 0 && accessBytecodes * instructionNs == costMemoryNs;
        this.threadBits = options.threadBits();
        this.systemBase = machine.config().interruptLines();
        this.userBase = systemBase + 32;
        this.threads = new ThreadTable(1 << threadBits);
        this.kernelFrames = new FrameAllocator(memory, kernelMemoryBase, memory.size());
        this.kernelMemoryBase = kernelMemoryBase;
        this.trace = new Trace(this);
        this.spaces = new Spaces(this);
        this.mappings = new MappingDb(this::flushTlbPage);
        this.processors = new Processor[machine.cpuCount()];
        for (int i = 0; i < processors.length; i++) processors[i] = new Processor(this, machine.cpu(i));
        this.code = new CodeImage(this);
        this.interrupts = new ristretto.kernel.irq.Interrupts(this);
    }

    /** {@code ns} of work in bytecodes, rounded up (0 when instructions cost nothing). */
    private int inBytecodes(long ns) {
        return instructionNs <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (ns + instructionNs - 1) / instructionNs);
    }

    /** Turns tracing on or off; the fast path's one flag word follows. */
    public void setTracing(boolean on) {
        tracing = on;
        fastPathExtras = (on ? 1 : 0) | (lazyScheduling ? 0 : 2);
    }

    public void trace(int kind, Tcb a, Tcb b) {
        if (tracing) trace.record(kind, a, b);
    }

    public void report(String line) { console.accept(line); }

    public void setConsole(Consumer<String> c) { this.console = c; }

    /** Device line {@code line} was acknowledged on {@code p}: answers whether its handler preempts the running thread. */
    public boolean deviceInterrupt(int line, Processor p) { return interrupts.raised(line, p); }

    /** Whether an idle machine must wait for an interrupt from outside (host input to a handled device). */
    public boolean expectsInterrupts() { return interrupts.expectsExternal(); }

    /** Forgets every CPU's translations of a space that is gone (and closes the temporary-mapping windows). */
    public void flushTlbs(Space s) {
        for (Processor p : processors) {
            p.machineCpu.tlb().flushSpace(s.id);
            p.machineCpu.invalidateWindow();
        }
    }

    /**
     * Forgets every CPU's translation of one page of a space whose page-table entry changed; a
     * temporary-mapping window, which may show that page under its own tag, is closed too.
     */
    public void flushTlbPage(Space s, long vpn) {
        for (Processor p : processors) {
            p.machineCpu.tlb().flushPage(s.id, vpn);
            p.machineCpu.invalidateWindow();
        }
    }

    /**
     * {@code bytes} (whole pages) of physically contiguous kernel memory, for a CPU's string
     * copy buffer; taken at boot, when the kernel's frames are still handed out in order.
     */
    public long kernelBuffer(int bytes) {
        long first = -1;
        for (int i = 0; i < bytes / PhysicalMemory.PAGE_SIZE; i++) {
            long f = kernelFrames.allocate();
            if (f < 0 || (first >= 0 && f != first + i * PhysicalMemory.PAGE_SIZE))
                throw new IllegalStateException("no contiguous kernel memory for a " + bytes + "-byte copy buffer");
            if (first < 0) first = f;
        }
        return first;
    }

    // ------------------------------------------------------------------------ the facade

    public Machine machine() { return machine; }

    public Trace trace() { return trace; }

    /** Halts the machine once its clock passes {@code ns}: a watchdog for runaway programs. */
    public void setTimeLimitNs(long ns) { this.timeLimitNs = ns; }

    public Options options() { return options; }

    /** Runs CPU 0's dispatcher until the machine halts; answers the reason. */
    public String run() {
        Processor p = processors[0];
        p.run();
        return p.haltReason;
    }

    /**
     * Stepped mode, for a host that drives the machine itself (benchmarks, tests): runs CPU 0
     * until no thread is runnable, lets it idle once — virtual time jumps to the next wake-up,
     * whose thread becomes ready, or the machine halts — and returns. A user thread hands control
     * back to the host by blocking with a timeout (e.g. {@code L4.sleep}) while all else waits;
     * the next call resumes it. Answers null, or the halt reason once the machine has halted.
     */
    public String runUntilIdle() { return runIdles(1); }

    /**
     * Stepped mode, {@code n} idles a step: runs CPU 0 until it has idled {@code n} times and
     * returns, as {@code n} calls of {@link #runUntilIdle} would, but without returning to the
     * host in between — so the idles but the last may take place on the stack of the thread that
     * blocked. Answers null, or the halt reason once the machine has halted.
     */
    public String runIdles(long n) {
        Processor p = processors[0];
        p.runIdles(n);
        return p.halted ? p.haltReason : null;
    }

    public long switches() { return processors[0].switches; }

    public int systemBase() { return systemBase; }

    public int userBase() { return userBase; }

    public long rootTaskId() { return rootId; }

    public long sigma0Id() { return sigma0Id; }

    /** The recorded state name of a thread (for tests and the console), or "free". */
    public String stateOf(long id) {
        Tcb t = threads.lookupGlobal(id);
        return t == null ? "free" : ThreadState.name(t.state);
    }

    public String stopReason(long id) {
        Tcb t = threads.lookupGlobal(id);
        return t == null ? null : t.stopReason;
    }

    public int liveThreads() { return threads.live(); }

    /** Every violation of the kernel's structural invariants now, empty if all hold. */
    public List<String> invariantViolations() { return Invariants.violations(this); }

    /** Registers trusted user code in the code image; answers its IP. Used by the loader at boot. */
    public long registerEntry(String name, UserEntry entry) { return code.register(name, entry); }

    /**
     * Registers code linked by a program that {@code owner} loaded (null: trusted host code);
     * threads of spaces with another loader cannot start at it. Answers its IP.
     */
    public long registerEntry(String name, UserEntry entry, SpaceLoader owner) {
        return code.register(new CodeImage.Slot(name, entry, null, owner));
    }

    /** Registers a program image, which any space may start (it loads the class for itself); answers its IP. */
    public long registerImage(ProgramImage image) {
        return code.register(new CodeImage.Slot("image " + image.className(), null, image, null));
    }

    /** Where program images come from; set by the system before it runs. */
    public void setLoading(Loading l) { this.loading = java.util.Objects.requireNonNull(l); }

    public Loading loading() { return loading; }

    /** The program loader of the space thread {@code id} lives in, made if the space has none; null if no such thread. */
    public SpaceLoader spaceLoader(long id) {
        Tcb t = threads.lookupGlobal(id);
        return t == null ? null : spaces.loaderOf(t.space);
    }

    /**
     * A report on every live thread, in thread-number order (see {@link ThreadReport}): read-only,
     * for the host once the machine has halted.
     */
    public List<ThreadReport> threadReports() {
        List<ThreadReport> out = new ArrayList<>();
        threads.forEach(t -> {
            int s = t.state;
            boolean inIpc = s == ThreadState.POLLING || s == ThreadState.LOCKED_RUNNING || s == ThreadState.WAITING_TUNNELED
                    || ThreadState.isWaiting(s) || s == ThreadState.LOCKED_WAITING || s == ThreadState.LOCKED_RUNNING_NESTED;
            out.add(new ThreadReport(t.globalId, ThreadState.name(s), inIpc ? t.partner : 0,
                    s == ThreadState.HALTED ? t.stopReason : null, Faults.inPageFault(t)));
        });
        return out;
    }

    /**
     * The mappings of every space that has a live thread, as lines (see {@link MappingReport}):
     * per space its threads, then its virtual ranges with frame, rights, status bits and the
     * mapping each derives from. Read-only, for the host once the machine has halted.
     */
    public List<String> mappingReport() {
        List<Tcb> live = new ArrayList<>();
        threads.forEach(live::add);
        return MappingReport.of(live);
    }

    @Override public String toString() { return "Kernel[" + ThreadId.toString(rootId) + " root]"; }
}
