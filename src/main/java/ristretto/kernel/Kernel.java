package ristretto.kernel;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import jdk.internal.vm.Continuation;
import ristretto.abi.Fpage;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.UserEntry;
import ristretto.abi.Utcb;
import ristretto.machine.FrameAllocator;
import ristretto.machine.Machine;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * The kernel: the thread table, address spaces, processors, code image and KIP, and the
 * mechanisms every system call shares (lookup, timeouts, activation, deletion, tracing).
 * Built by {@link Boot}; one per machine.
 */
public final class Kernel {
    /** KernelId word of the kernel descriptor: id 0x52 ('R'istretto), subid 1. */
    static final long KERNEL_ID = (0x52L << 24) | (1L << 16);
    static final int ENTRY_MAGIC = 0xC0DE;

    /** Kernel options: the IPC optimizations (each with an off switch) and checking. */
    public record Options(boolean fastPath, boolean lazyScheduling, boolean directSwitch,
                          boolean checkedMode, boolean tracing, int threadBits) {
        public static Options defaults() { return new Options(true, true, true, false, false, 18); }

        public Options withFastPath(boolean b) { return new Options(b, lazyScheduling, directSwitch, checkedMode, tracing, threadBits); }

        public Options withLazyScheduling(boolean b) { return new Options(fastPath, b, directSwitch, checkedMode, tracing, threadBits); }

        public Options withDirectSwitch(boolean b) { return new Options(fastPath, lazyScheduling, b, checkedMode, tracing, threadBits); }

        public Options withCheckedMode(boolean b) { return new Options(fastPath, lazyScheduling, directSwitch, b, tracing, threadBits); }

        public Options withTracing(boolean b) { return new Options(fastPath, lazyScheduling, directSwitch, checkedMode, b, threadBits); }

        public Options withThreadBits(int t) { return new Options(fastPath, lazyScheduling, directSwitch, checkedMode, tracing, t); }
    }

    final Machine machine;
    final PhysicalMemory memory;
    final MemorySegment phys;
    final Options options;
    final boolean fastPath, lazyScheduling, directSwitch, checkedMode;
    boolean tracing;
    /** Non-zero when a fast-path commit has extra work (tracing, eager queues): one check. */
    int fastPathExtras;
    final long costEntryNs, costMemoryNs;
    final int threadBits, maxThreads, systemBase, userBase;
    final Tcb[] tcbs;
    final Processor[] processors;
    final FrameAllocator kernelFrames;
    final CodeImage code;
    final Trace trace;
    long kipFrame;
    /** Machine time at which the processors halt even if threads are still runnable. */
    long timeLimitNs = Long.MAX_VALUE;
    private int nextSpaceId = 1;
    private Consumer<String> console = System.out::println;
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
        this.threadBits = options.threadBits();
        this.maxThreads = 1 << threadBits;
        this.systemBase = machine.config().interruptLines();
        this.userBase = systemBase + 32;
        this.tcbs = new Tcb[maxThreads];
        this.kernelFrames = new FrameAllocator(memory, kernelMemoryBase, memory.size());
        this.trace = new Trace(this);
        this.processors = new Processor[machine.cpuCount()];
        for (int i = 0; i < processors.length; i++) processors[i] = new Processor(this, machine.cpu(i));
        this.code = new CodeImage(this);
    }

    // ---------------------------------------------------------------------------- lookup

    Tcb tcb(int threadNo) { return threadNo >= 0 && threadNo < maxThreads ? tcbs[threadNo] : null; }

    /** The thread with exactly this global ID (stale versions fail), or null. */
    Tcb lookupGlobal(long id) {
        long no = id >>> 32;
        if (no >= maxThreads) return null;
        Tcb t = tcbs[(int) no];
        return t != null && t.globalId == id && t.space != null ? t : null;
    }

    /**
     * Resolves a global ID, or a local ID in {@code viewer}'s space. A same-space server replies
     * to the local ID its From said on every round trip, so each thread remembers the last local
     * ID it resolved: the entry is valid while that thread lives in the viewer's space, because
     * live threads of one space never share a UTCB location.
     */
    Tcb lookup(long id, Tcb viewer) {
        if (ThreadId.isGlobal(id)) return id == ThreadId.ANY ? null : lookupGlobal(id);
        Tcb c = viewer.localCache;
        if (c != null && c.localId == id && c.space == viewer.space) return c;
        return lookupLocal(id, viewer);
    }

    /**
     * As the X.2 stubs do, reads the global ID from the MyGlobalId word of the UTCB that the
     * local ID names — through the CPU's TLB when the viewer is the running thread.
     */
    private Tcb lookupLocal(long id, Tcb viewer) {
        if (id == ThreadId.NIL || id == ThreadId.ANY_LOCAL) return null;
        if (((id - Utcb.MR0_OFFSET) & (Utcb.SIZE - 1)) != 0) return null;
        Processor p = viewer.cpu;
        long pa = p.current == viewer
                ? p.machineCpu.translate(id - Utcb.MR0_OFFSET + Utcb.MY_GLOBAL_ID, Pte.R)
                : utcbWordPhys(viewer.space, id - Utcb.MR0_OFFSET, Utcb.MY_GLOBAL_ID);
        if (pa < 0) return null;
        Tcb t = lookupGlobal(memory.load(pa));
        if (t == null || t.space != viewer.space || t.localId != id) return null;
        viewer.localCache = t;
        return t;
    }

    // -------------------------------------------------------------------------- timeouts

    /** Arms the wakeup for an IPC timeout (a period or an absolute point); NEVER arms nothing. */
    void armTimeout(Tcb t, int timeout) {
        if (timeout == Timeout.NEVER) return;
        long nowUs = machine.clock().nowMicros();
        long deadline = Timeout.isPoint(timeout) ? Timeout.pointDeadlineMicros(timeout, nowUs)
                : nowUs + Timeout.periodMicros(timeout);
        t.cpu.wakeups.schedule(t.threadNo, deadline);
    }

    void cancelTimeout(Tcb t) {
        t.cpu.wakeups.cancel(t.threadNo);
    }

    // ------------------------------------------------------------------------- messages

    /** Copies MR1..MRu from one UTCB to another in a single bulk move. */
    void copyWords(Tcb from, Tcb to, int u) {
        MemorySegment.copy(phys, from.utcbPhys + Utcb.mr(1), phys, to.utcbPhys + Utcb.mr(1), 8L * u);
    }

    /** Turns tracing on or off; the fast path's one flag word follows. */
    void setTracing(boolean on) {
        tracing = on;
        fastPathExtras = (on ? 1 : 0) | (lazyScheduling ? 0 : 2);
    }

    void trace(int kind, Tcb a, Tcb b) {
        if (tracing) trace.record(kind, a, b);
    }

    // ---------------------------------------------------------------------- user code

    Continuation newContinuation(Tcb t) {
        return new Continuation(Processor.SCOPE, () -> runUser(t));
    }

    /** Starts a thread at its IP: the word there must be an entry of the code image (r-x). */
    private void runUser(Tcb t) {
        Processor p = t.cpu;
        // Starting is a return to user level: a halt requested while the thread waited for its
        // start-up message takes effect before any of its code runs.
        if (t.pendingWork != 0) p.handlePending(t);
        long ip = t.ip;
        UserEntry entry;
        while (true) {
            long pa = p.machineCpu.translate(ip, Pte.X | Pte.R);
            entry = pa < 0 ? null : code.entryAt(memory.load(pa));
            if (entry != null) break;
            Faults.stopSelf(t, p, "no executable entry point at IP 0x" + Long.toHexString(ip));
            ip = t.ip;
        }
        entry.start(t, ip, t.sp);
    }

    /**
     * An exception escaped a thread's continuation. Thrown by user code (or a deliberate
     * {@link UserFault}), it stops the thread; thrown by kernel or machine code it is a kernel
     * bug, reported as such with its stack so that tests can never mistake one for the other.
     */
    void userCodeFailed(Tcb t, Throwable e) {
        t.cont = null;
        t.state = ThreadState.HALTED;
        boolean kernelBug = !(e instanceof UserFault) && !(e instanceof IllegalMonitorStateException)
                && thrownByKernel(e);
        t.stopReason = (kernelBug ? "KERNEL BUG: " : "user code threw ") + e;
        String entry = code.nameAt(t.ip);
        report((kernelBug ? "KERNEL BUG in " : "") + "thread " + ThreadId.toString(t.globalId)
                + (entry != null ? " (entry " + entry + ")" : "") + " stopped: " + e);
        if (kernelBug || checkedMode) {
            StringBuilder sb = new StringBuilder();
            for (StackTraceElement el : e.getStackTrace()) sb.append("\n    at ").append(el);
            report("  stack:" + sb);
        }
        trace(Trace.STOP, t, null);
    }

    /** The innermost project frame of the exception (JDK frames skipped) is kernel or machine code. */
    static boolean thrownByKernel(Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            String c = f.getClassName();
            if (c.startsWith("ristretto.")) return c.startsWith("ristretto.kernel.") || c.startsWith("ristretto.machine.");
        }
        return false;
    }

    void userCodeReturned(Tcb t) {
        t.cont = null;
        t.state = ThreadState.HALTED;
        t.stopReason = "returned from its entry point";
        trace(Trace.STOP, t, null);
    }

    /** A gate was called by code not running as that thread: a user-program error. */
    void foreignEntry(Tcb t) {
        throw new UserFault("system call through the UserCpu of " + ThreadId.toString(t.globalId)
                + " from another thread: each L4 thread must use its own UserCpu");
    }

    void report(String line) { console.accept(line); }

    public void setConsole(Consumer<String> c) { this.console = c; }

    boolean deviceInterrupt(int line) { return false; }

    boolean expectsInterrupts() { return false; }

    // ------------------------------------------------------------------- spaces and threads

    Space newSpace() { return new Space(nextSpaceId++); }

    /** A fresh TCB in slot {@code no}, inactive, in {@code space}. */
    Tcb createThread(long id, Space space, long scheduler) {
        int no = ThreadId.number(id);
        Tcb t = new Tcb(this, no);
        t.globalId = id;
        t.space = space;
        t.scheduler = scheduler;
        t.state = ThreadState.ABORTED;
        t.cpu = processors[0];
        space.threads++;
        tcbs[no] = t;
        return t;
    }

    /** Physical address of the word at byte {@code offset} of the UTCB at {@code location}, or -1. */
    long utcbWordPhys(Space s, long location, int offset) {
        long addr = location + offset;
        long pte = s.pageTable.lookup(Tcb.pageOf(addr));
        return Pte.valid(pte) ? Pte.frame(pte) + (addr & (PhysicalMemory.PAGE_SIZE - 1)) : -1;
    }

    /** True if a UTCB may be placed at {@code location} in {@code s} (aligned, inside, free). */
    boolean validUtcbLocation(Space s, long location, Tcb except) {
        if (!s.initialized() || location == -1 || (location & (Utcb.SIZE - 1)) != 0) return false;
        if (location < s.utcbBase() || location - s.utcbBase() > s.utcbSize() - Utcb.SIZE) return false;
        long pa = utcbWordPhys(s, location, Utcb.MY_GLOBAL_ID);      // an activated UTCB names its owner
        Tcb owner = pa < 0 ? null : lookupGlobal(memory.load(pa));
        return owner == null || owner == except || owner.space != s || owner.utcbLocation != location;
    }

    /**
     * Activation (§11.1): back the UTCB with a kernel frame, initialise its TCRs and fake a
     * closed receive from the pager (the start-up message). Answers false when out of memory.
     */
    boolean activate(Tcb t, long pager) {
        Space s = t.space;
        long vpn = Tcb.pageOf(t.utcbLocation);
        long pte = s.pageTable.lookup(vpn);
        if (!Pte.valid(pte)) {
            long frame = kernelFrames.allocate();
            if (frame < 0) return false;
            pte = Pte.make(frame, Pte.R | Pte.W);
            s.pageTable.set(vpn, pte);
        }
        t.utcbPhys = Pte.frame(pte) + (t.utcbLocation & (PhysicalMemory.PAGE_SIZE - 1));
        t.utcb = memory.slice(t.utcbPhys, Utcb.SIZE);
        t.utcb.fill((byte) 0);
        t.localId = t.utcbLocation + Utcb.MR0_OFFSET;
        t.setWord(Utcb.MY_GLOBAL_ID, t.globalId);
        t.setWord(Utcb.PAGER, pager);
        t.setWord(Utcb.EXCEPTION_HANDLER, ThreadId.NIL);
        t.setWord(Utcb.PROCESSOR_NO, t.cpu.id);
        t.awaitingStartup = true;
        t.partner = pager;
        t.state = ThreadState.WAITING_FOREVER;
        trace(Trace.ACTIVATE, t, null);
        return true;
    }

    /** Maps the KIP and the code image into a space being initialised (read + execute). */
    void mapKernelAreas(Space s) {
        s.pageTable.set(Tcb.pageOf(s.kipBase()), Pte.make(kipFrame, Pte.R | Pte.X));
        code.mapInto(s);
    }

    /**
     * Deletes a thread (§11.1 step 5): its IPC is aborted, its queued senders and the threads
     * waiting for it specifically wake with "non-existing partner", and its space goes with its
     * last thread.
     */
    void deleteThread(Tcb t) {
        Processor p = t.cpu;
        Ipc.unwind(t, ristretto.abi.IpcError.ABORTED, p);
        cancelTimeout(t);
        p.ready.remove(t);
        if (p.sliceOwner == t) { p.sliceOwner = null; p.sliceEndNs = Long.MAX_VALUE; }
        while (t.sendHead != null) {
            Tcb s = t.sendHead;
            Ipc.unwind(s, ristretto.abi.IpcError.NO_PARTNER, p);
            p.makeReady(s);
        }
        long id = t.globalId;
        for (Tcb o : tcbs) {
            if (o != null && o != t && ThreadState.isWaiting(o.state) && o.partner == id && !o.awaitingStartup) {
                Ipc.unwind(o, ristretto.abi.IpcError.NO_PARTNER, o.cpu);
                o.cpu.makeReady(o);
            }
        }
        trace(Trace.DELETE, t, null);
        if (t.activated()) t.setWord(Utcb.MY_GLOBAL_ID, 0);
        t.cont = null;
        t.state = ThreadState.ABORTED;
        t.globalId = 0;
        Space s = t.space;
        t.space = null;
        tcbs[t.threadNo] = null;
        if (--s.threads == 0) destroySpace(s);
    }

    /** Frees a space's kernel-backed UTCB pages and forgets its translations. */
    void destroySpace(Space s) {
        if (s.initialized()) {
            long base = s.utcbBase(), end = base + s.utcbSize();
            for (long a = base; a < end; a += PhysicalMemory.PAGE_SIZE) {
                long pte = s.pageTable.lookup(Tcb.pageOf(a));
                if (Pte.valid(pte)) kernelFrames.release(Pte.frame(pte));
            }
        }
        for (Processor p : processors) p.machineCpu.tlb().flushSpace(s.id);
    }

    // ------------------------------------------------------------------------ inspection

    /**
     * Checks the kernel's structural invariants and answers every violation found: IDs match
     * their slots, send queues hold exactly the polling senders aimed at their owner, space
     * thread counts are right, timeouts are armed only for threads that can time out.
     */
    List<String> invariantViolations() {
        List<String> v = new ArrayList<>();
        Map<Space, Integer> counts = new HashMap<>();
        for (int no = 0; no < maxThreads; no++) {
            Tcb t = tcbs[no];
            if (t == null) continue;
            String n = ThreadId.toString(t.globalId);
            if (t.threadNo != no || ThreadId.number(t.globalId) != no) v.add(n + ": in slot " + no);
            if (t.space == null) { v.add(n + ": live slot without a space"); continue; }
            counts.merge(t.space, 1, Integer::sum);
            boolean queued = t.sendNext != null;
            if ((t.state == ThreadState.POLLING) != queued) v.add(n + ": " + ThreadState.name(t.state) + (queued ? " but queued" : " but not queued"));
            if (queued && (t.partnerTcb == null || !inQueue(t.partnerTcb, t))) v.add(n + ": not in its partner's send queue");
            if (t.sendHead != null) {
                Tcb s = t.sendHead;
                int guard = 0;
                do {
                    if (s.partnerTcb != t || s.state != ThreadState.POLLING) v.add(n + ": queue holds " + s);
                    if (s.sendNext.prio > s.prio && s.sendNext != t.sendHead) v.add(n + ": queue out of priority order");
                    s = s.sendNext;
                } while (s != t.sendHead && ++guard < maxThreads);
            }
            boolean timed = t.cpu.wakeups.isScheduled(no);
            if (timed && t.state != ThreadState.POLLING && t.state != ThreadState.WAITING_TIMEOUT)
                v.add(n + ": timeout armed in state " + ThreadState.name(t.state));
            if (t.state == ThreadState.WAITING_TIMEOUT && !timed) v.add(n + ": waiting_timeout without a deadline");
        }
        counts.forEach((s, c) -> { if (s.threads != c) v.add(s + ": counts " + s.threads + " threads, has " + c); });
        return v;
    }

    private static boolean inQueue(Tcb owner, Tcb t) {
        Tcb s = owner.sendHead;
        if (s == null) return false;
        int guard = 0;
        do { if (s == t) return true; s = s.sendNext; } while (s != owner.sendHead && ++guard < (1 << 20));
        return false;
    }


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
    public String runUntilIdle() {
        Processor p = processors[0];
        p.runUntilIdle();
        return p.halted ? p.haltReason : null;
    }

    public long switches() { return processors[0].switches; }

    public int systemBase() { return systemBase; }

    public int userBase() { return userBase; }

    public long rootTaskId() { return rootId; }

    public long sigma0Id() { return sigma0Id; }

    /** The recorded state name of a thread (for tests and the console), or "free". */
    public String stateOf(long id) {
        Tcb t = lookupGlobal(id);
        return t == null ? "free" : ThreadState.name(t.state);
    }

    public String stopReason(long id) {
        Tcb t = lookupGlobal(id);
        return t == null ? null : t.stopReason;
    }

    public int liveThreads() {
        int n = 0;
        for (Tcb t : tcbs) if (t != null) n++;
        return n;
    }

    /** Registers user code in the code image; answers its IP. Used by the loader at boot. */
    public long registerEntry(String name, UserEntry entry) { return code.register(name, entry); }

    static boolean inUserArea(long fpage) {
        long base = Fpage.address(fpage);
        int s = Fpage.log2Size(fpage);
        return s < 48 && base >= 0 && base + (1L << s) <= ristretto.machine.PageTable.VA_LIMIT;
    }

    // ---- run report (run-cli branch)

    /**
     * A report on every live thread, in thread-number order (see {@link ThreadReport}): read-only,
     * for the host once the machine has halted.
     */
    public List<ThreadReport> threadReports() {
        List<ThreadReport> out = new ArrayList<>();
        for (Tcb t : tcbs) {
            if (t == null || t.space == null) continue;
            int s = t.state;
            boolean inIpc = s == ThreadState.POLLING || s == ThreadState.LOCKED_RUNNING
                    || ThreadState.isWaiting(s) || s == ThreadState.LOCKED_WAITING;
            out.add(new ThreadReport(t.globalId, ThreadState.name(s), inIpc ? t.partner : 0,
                    s == ThreadState.HALTED ? t.stopReason : null));
        }
        return out;
    }
}
