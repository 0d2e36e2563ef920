package ristretto.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.internal.vm.Continuation;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * A thread control block. It is also the thread's trap gate: user code holds it only as a
 * {@link UserCpu}, so every system call and memory access enters the kernel here, on the
 * thread's own stack (a {@link Continuation}).
 *
 * <p>The class is package-private: user code can call the gate but never reach the TCB.
 */
final class Tcb implements UserCpu {
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    // --- identity ------------------------------------------------------------------------
    final Kernel kernel;
    final int threadNo;
    /** Stored global ID; 0 while the slot is free. Lookup validates against it. */
    long globalId;
    /** The space this thread lives in; null while the slot is free. */
    Space space;
    /** User-virtual address of the UTCB block, or -1. The local ID is this + 512. */
    long utcbLocation = -1;
    long localId;
    /** Physical address of the UTCB block once activated, else -1. */
    long utcbPhys = -1;
    MemorySegment utcb;

    // --- IPC ---------------------------------------------------------------------------------
    int state = ThreadState.ABORTED;
    /** While blocked: the destination (polling) or the FromSpecifier (waiting), as a global ID. */
    long partner;
    /** The thread this one is queued at or locked with. */
    Tcb partnerTcb;
    /** The FromSpecifier and Timeouts of the current IPC, kept across a blocked send phase. */
    long ipcFrom, ipcTimeouts;
    /** What the current IPC returns as From once this thread resumes. */
    long ipcResult;
    /** The ID the message of a handshake will carry as its sender (virtual sender when propagated). */
    long ipcSender;
    /** Redirection: the thread a redirected send was meant for (NIL if not redirected). */
    long ipcIntended;
    /** The activation's fake receive: the first message from the pager may carry IP and SP. */
    boolean awaitingStartup;
    /** The thread the last local ID this thread resolved named (see {@link Kernel#lookup}). */
    Tcb localCache;
    /** Send queue of threads polling on me: ring through sendNext/sendPrev, highest priority first. */
    Tcb sendHead;
    Tcb sendNext, sendPrev;

    // --- scheduling --------------------------------------------------------------------------
    Processor cpu;
    Tcb readyNext, readyPrev;
    int prio = 100;
    int sensitivePrio = 100;
    int maxDelayMicros;
    long timesliceNs = 10_000_000L;
    long totalQuantumNs = Long.MAX_VALUE;     // NEVER: unlimited
    long sliceLeftNs = 10_000_000L;
    long quantumLeftNs = Long.MAX_VALUE;
    long scheduler;

    // --- user context ------------------------------------------------------------------------
    Continuation cont;
    /** Whether {@link #cont} is mounted on its CPU's carrier now (running, or nested under a switch). */
    boolean mounted;
    long ip, sp, flags;
    /** Work to do before returning to user level ("one bit per resource", seed 000). */
    int pendingWork;
    static final int PENDING_RESTART = 1, PENDING_HALT = 2;
    final long[] regs = new long[6];
    /** Why the thread last stopped on its own (user exception, fault), for reports and tests. */
    String stopReason;

    Tcb(Kernel kernel, int threadNo) {
        this.kernel = kernel;
        this.threadNo = threadNo;
    }

    boolean exists() { return space != null; }

    boolean activated() { return utcbPhys >= 0; }

    boolean runnable() { return !ThreadState.isBlocked(state); }

    // --- UTCB access for the kernel ----------------------------------------------------------
    long word(int byteOffset) { return utcb.get(WORD, byteOffset); }

    void setWord(int byteOffset, long v) { utcb.set(WORD, byteOffset, v); }

    long mr(int i) { return utcb.get(WORD, Utcb.mr(i)); }

    void setMr(int i, long v) { utcb.set(WORD, Utcb.mr(i), v); }

    /** The ID by which {@code viewer} names this thread: local in the same space, else global. */
    long idSeenBy(Tcb viewer) { return viewer.space == space ? localId : globalId; }

    // --- the trap gate -----------------------------------------------------------------------
    /** Kernel entry: charge the entry to the clock and take due interrupts first. */
    private Processor enter() {
        Processor p = cpu;
        if (p.current != this) kernel.foreignEntry(this);
        if (kernel.checkedMode) Monitors.checkNoneHeld(this);
        if (p.machineCpu.charge(kernel.costEntryNs)) p.checkEvents(this);
        return p;
    }

    /**
     * The IPC trap gate. The fast path has returned by the time the gate switches to the receiver,
     * so the gate stays small and the JIT inlines it into user code: the continuation then
     * freezes only the user's frames ({@code ristretto.system.JvmOptions#FAST_PATH_OUT_OF_LINE}).
     */
    @Override public long ipc(long to, long fromSpecifier, long timeouts) {
        Processor p = enter();
        if (kernel.fastPath && FastPath.transfer(this, p, to, fromSpecifier, timeouts)) {
            // To p.next, the receiver: on this stack if it can be, else through the dispatcher.
            // Either way our partner has set our results when we run again.
            if (!p.switchNested(this)) Continuation.yield(Processor.SCOPE);
            return p.returnToUser(this);
        }
        return Ipc.ipc(this, p, to, fromSpecifier, timeouts);
    }

    @Override public long lipc(long to, long fromSpecifier, long timeouts) {
        return ipc(to, fromSpecifier, timeouts);   // X.2 allows Lipc to be Ipc; as in Pistachio
    }

    @Override public long exchangeRegisters(long dest, long control, long sp, long ip, long flags, long handle, long pager) {
        enter();
        return ExchangeRegisters.invoke(this, dest, control, sp, ip, flags, handle, pager);
    }

    @Override public long threadControl(long dest, long spaceSpecifier, long scheduler, long pager, long utcbLocation) {
        enter();
        return ThreadControl.invoke(this, dest, spaceSpecifier, scheduler, pager, utcbLocation);
    }

    @Override public long spaceControl(long spaceSpecifier, long control, long kipArea, long utcbArea, long redirector) {
        enter();
        return SpaceControl.invoke(this, spaceSpecifier, control, kipArea, utcbArea, redirector);
    }

    @Override public long schedule(long dest, long timeControl, long processorControl, long prioControl, long preemptionControl) {
        enter();
        return Scheduling.schedule(this, dest, timeControl, processorControl, prioControl, preemptionControl);
    }

    @Override public void threadSwitch(long dest) {
        Processor p = enter();
        Scheduling.threadSwitch(this, p, dest);
    }

    @Override public long systemClock() {
        enter();
        return kernel.machine.clock().nowMicros();
    }

    @Override public long kernelInterface() {
        enter();
        regs[R_API_VERSION] = ristretto.abi.Kip.API_VERSION;
        regs[R_API_FLAGS] = ristretto.abi.Kip.API_FLAGS;
        regs[R_KERNEL_ID] = Kernel.KERNEL_ID;
        return space.kipBase();
    }

    @Override public long reg(int index) { return regs[index]; }

    @Override public long load(long vaddr) {
        Processor p = cpu;
        if (p.machineCpu.charge(kernel.costMemoryNs)) p.checkEvents(this);
        long pa = p.machineCpu.translate(vaddr, Pte.R);
        if (pa < 0 || (vaddr & 7) != 0) pa = Faults.userAccess(this, p, vaddr, Pte.R);
        return kernel.memory.load(pa);
    }

    @Override public void store(long vaddr, long value) {
        Processor p = cpu;
        if (p.machineCpu.charge(kernel.costMemoryNs)) p.checkEvents(this);
        long pa = p.machineCpu.translate(vaddr, Pte.W);
        if (pa < 0 || (vaddr & 7) != 0) pa = Faults.userAccess(this, p, vaddr, Pte.W);
        kernel.memory.store(pa, value);
    }

    @Override public MemorySegment utcb() { return utcb; }

    @Override public String toString() {
        return "Tcb[" + ristretto.abi.ThreadId.toString(globalId) + " " + ThreadState.name(state) + "]";
    }

    static long pageOf(long addr) { return addr >>> PhysicalMemory.PAGE_BITS; }
}
