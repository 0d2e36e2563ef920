package ristretto.kernel.thread;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.internal.vm.Continuation;
import ristretto.abi.ThreadId;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.mem.Space;
import ristretto.kernel.sched.Processor;
import ristretto.machine.PhysicalMemory;

/**
 * A thread control block: the kernel's record of one L4 thread. Data only; what the kernel does
 * with it lives in the packages of each concern. User code never holds a TCB: it holds the
 * thread's trap gate ({@link #gate}), a {@link UserCpu} that enters the kernel on the thread's
 * own stack (a {@link Continuation}).
 *
 * <p>Ownership (see {@code ristretto.kernel.sched}): the scheduling fields are written only by
 * the CPU in {@link #cpu}; another CPU posts a request to that CPU instead.
 */
public final class Tcb {
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    // --- identity ------------------------------------------------------------------------
    public final Kernel kernel;
    public final int threadNo;
    /** The thread's trap gate: the only object of the kernel that user code holds. */
    public UserCpu gate;
    /** Stored global ID; 0 while the slot is free. Lookup validates against it. */
    public long globalId;
    /** The space this thread lives in; null while the slot is free. */
    public Space space;
    /** User-virtual address of the UTCB block, or -1. The local ID is this + 512. */
    public long utcbLocation = -1;
    public long localId;
    /** Physical address of the UTCB block once activated, else -1. */
    public long utcbPhys = -1;
    public MemorySegment utcb;

    // --- IPC ---------------------------------------------------------------------------------
    public int state = ThreadState.ABORTED;
    /** While blocked: the destination (polling) or the FromSpecifier (waiting), as a global ID. */
    public long partner;
    /** The thread this one is queued at or locked with. */
    public Tcb partnerTcb;
    /** The FromSpecifier and Timeouts of the current IPC, kept across a blocked send phase. */
    public long ipcFrom, ipcTimeouts;
    /** What the current IPC returns as From once this thread resumes. */
    public long ipcResult;
    /** The ID the message of a handshake will carry as its sender (virtual sender when propagated). */
    public long ipcSender;
    /** Redirection: the thread a redirected send was meant for (NIL if not redirected). */
    public long ipcIntended;
    /** The activation's fake receive: the first message from the pager may carry IP and SP. */
    public boolean awaitingStartup;
    /** The thread the last local ID this thread resolved named (see {@link ThreadTable#lookup}). */
    public Tcb localCache;
    /** Send queue of threads polling on me: ring through sendNext/sendPrev, highest priority first. */
    public Tcb sendHead;
    public Tcb sendNext, sendPrev;
    /**
     * Threads blocked in a closed receive from this thread specifically (not in its send queue):
     * a ring through waitNext/waitPrev, so that deleting this thread wakes them without scanning
     * the thread table.
     */
    public Tcb waitersHead;
    public Tcb waitNext, waitPrev, waitingOn;
    /** The save area of the kernel-generated IPC this thread is in (innermost), or null. */
    public SaveArea nested;
    /**
     * An interrupt thread (§13.3): the line it stands for, else -1. It has no UTCB and no stack;
     * the IPC code knows it as a sender ({@code ipc.InterruptIpc}). {@link #irqHandler} is the
     * thread it is associated with (NIL: none).
     */
    public int irqLine = -1;
    public long irqHandler;
    /** The transfer with typed items this thread is in, as sender or receiver, or null. */
    public Xfer xfer;
    /** A save area kept for the next kernel-generated IPC, so a page fault allocates nothing. */
    public SaveArea spareSave;

    // --- scheduling --------------------------------------------------------------------------
    public Processor cpu;
    public Tcb readyNext, readyPrev;
    public int prio = 100;
    public int sensitivePrio = 100;
    public int maxDelayMicros;
    /** Delayed-preemption budget left (µs), refreshed by ThreadSwitch (§3.4). */
    public long delayLeftMicros;
    public long timesliceNs = 10_000_000L;
    public long totalQuantumNs = Long.MAX_VALUE;     // NEVER: unlimited
    public long sliceLeftNs = 10_000_000L;
    public long quantumLeftNs = Long.MAX_VALUE;
    public long scheduler;
    /** The CPU whose wakeup wheel holds this thread's timeout, or null if none is armed. */
    public Processor timeoutCpu;

    // --- user context ------------------------------------------------------------------------
    public Continuation cont;
    /** Whether {@link #cont} is mounted on its CPU's carrier now (running, or nested under a switch). */
    public boolean mounted;
    public long ip, sp, flags;
    /** Work to do before returning to user level ("one bit per resource", seed 000). */
    public int pendingWork;
    public static final int PENDING_RESTART = 1, PENDING_HALT = 2, PENDING_PREEMPTION_MESSAGE = 4, PENDING_TUNNELED_FAULT = 8;
    public final long[] regs = new long[6];
    /** Why the thread last stopped on its own (user exception, fault), for reports and tests. */
    public String stopReason;

    public Tcb(Kernel kernel, int threadNo) {
        this.kernel = kernel;
        this.threadNo = threadNo;
    }

    public boolean exists() { return space != null; }

    public boolean activated() { return utcbPhys >= 0; }

    public boolean runnable() { return !ThreadState.isBlocked(state); }

    // --- UTCB access for the kernel ----------------------------------------------------------
    public long word(int byteOffset) { return utcb.get(WORD, byteOffset); }

    public void setWord(int byteOffset, long v) { utcb.set(WORD, byteOffset, v); }

    public long mr(int i) { return utcb.get(WORD, Utcb.mr(i)); }

    public void setMr(int i, long v) { utcb.set(WORD, Utcb.mr(i), v); }

    /** The ID by which {@code viewer} names this thread: local in the same space, else global. */
    public long idSeenBy(Tcb viewer) { return viewer.space == space ? localId : globalId; }

    @Override public String toString() {
        return "Tcb[" + ThreadId.toString(globalId) + " " + ThreadState.name(state) + "]";
    }

    public static long pageOf(long addr) { return addr >>> PhysicalMemory.PAGE_BITS; }
}
