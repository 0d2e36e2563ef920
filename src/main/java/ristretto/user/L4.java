package ristretto.user;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;
import ristretto.abi.ExRegs;
import ristretto.abi.Fpage;
import ristretto.abi.MapItem;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;

/**
 * libl4 for Java: one object per L4 thread, created when the thread starts. Virtual registers
 * (MRs, BRs, TCRs) are words of the thread's own UTCB; system calls are raw stubs over
 * {@link UserCpu}; Send, Receive, Wait, Call, ReplyWait, Reply and Sleep are one-line wrappers
 * over the one {@link #ipc} primitive, as in Pistachio's {@code ipc.h}.
 *
 * <p>Wherever a method takes or answers both an IP and an SP, the IP comes first: {@link #start(long, long, long)},
 * {@link #startThread}, {@link #exchangeRegisters}, {@link ExRegs.Result}, {@link Threads} (X.2 and Pistachio's
 * libl4 put SP first in ExchangeRegisters; this library does not).
 *
 * <p>Register indexes are checked: an MR outside 0..63, a BR outside 0..32 or a result
 * register outside 0..5 is an {@link IndexOutOfBoundsException}, never another UTCB word.
 */
public final class L4 {
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;
    private final UserCpu cpu;
    private final long ip, sp;
    private final List<String> args;
    private long from;

    public L4(UserCpu cpu, long ip, long sp) {
        this(cpu, ip, sp, List.of());
    }

    /** @param args the program arguments this thread sees ({@link #args}) */
    public L4(UserCpu cpu, long ip, long sp, List<String> args) {
        this.cpu = cpu;
        this.ip = ip;
        this.sp = sp;
        this.args = List.copyOf(args);
    }

    /**
     * The thread's UTCB, asked of the CPU at every use and never kept: ThreadControl may move the
     * thread to another space, and its UTCB with it (§11.1), while the thread is preempted.
     */
    private MemorySegment utcb() { return cpu.utcb(); }

    /** The IP this thread started at, and its initial SP. */
    public long startIp() { return ip; }

    public long startSp() { return sp; }

    /**
     * The arguments the system was started with, for the root task: what follows the program
     * on the command line ({@code ./ristretto run Prog.java a b} or {@code --root Prog -- a b}).
     * Empty for every other thread; a root task passes on what its threads need.
     */
    public List<String> args() { return args; }

    // ------------------------------------------------------------------- virtual registers

    /** Message register i, 0 ≤ i < 64. */
    public long mr(int i) { return utcb().get(WORD, Utcb.mr(Objects.checkIndex(i, Utcb.MR_COUNT))); }

    public void setMr(int i, long v) { utcb().set(WORD, Utcb.mr(Objects.checkIndex(i, Utcb.MR_COUNT)), v); }

    /** Buffer register i, 0 ≤ i ≤ 32. */
    public long br(int i) { return utcb().get(WORD, Utcb.br(Objects.checkIndex(i, Utcb.BR_COUNT))); }

    public void setBr(int i, long v) { utcb().set(WORD, Utcb.br(Objects.checkIndex(i, Utcb.BR_COUNT)), v); }

    /** Loads MR0 with a tag of label and the given untyped words into MR1... */
    public void loadMsg(long label, long... words) {
        setMr(0, MsgTag.make(label, words.length, 0));
        for (int i = 0; i < words.length; i++) setMr(i + 1, words[i]);
    }

    public long tag() { return mr(0); }

    /**
     * Loads a message of one map item and nothing else (label 0, u = 0, t = 2): {@code fpage}
     * with the rights to give, placed in the receiver's window by {@code sendBase} (§4.5; a pager
     * replying to a fault passes the fault address).
     */
    public void loadMapItem(long fpage, long sendBase) { loadItem(MapItem.mapWord(sendBase), fpage); }

    /** As {@link #loadMapItem}, a grant item: the mapping moves to the receiver and leaves this space. */
    public void loadGrantItem(long fpage, long sendBase) { loadItem(MapItem.grantWord(sendBase), fpage); }

    private void loadItem(long word0, long fpage) {
        setMr(0, MsgTag.make(0, 0, 2));
        setMr(1, word0);
        setMr(2, fpage);
    }

    /** The receive window for mappings (BR0's window, §5.1); {@link MapItem#NO_WINDOW} accepts none. */
    public void setReceiveWindow(long fpage) { setBr(0, (br(0) & 1) | MapItem.acceptor(fpage)); }

    public long receiveWindow() { return MapItem.acceptor(br(0)); }

    private long tcr(int off) { return utcb().get(WORD, off); }

    private void setTcr(int off, long v) { utcb().set(WORD, off, v); }

    public long myGlobalId() { return tcr(Utcb.MY_GLOBAL_ID); }

    public long myLocalId() { return localIdOf(myGlobalId()); }

    public long errorCode() { return tcr(Utcb.ERROR_CODE); }

    public long pager() { return tcr(Utcb.PAGER); }

    public void setPager(long p) { setTcr(Utcb.PAGER, p); }

    public long exceptionHandler() { return tcr(Utcb.EXCEPTION_HANDLER); }

    public void setExceptionHandler(long h) { setTcr(Utcb.EXCEPTION_HANDLER, h); }

    public long userDefinedHandle() { return tcr(Utcb.USER_DEFINED_HANDLE); }

    public void setUserDefinedHandle(long h) { setTcr(Utcb.USER_DEFINED_HANDLE, h); }

    public long processorNo() { return tcr(Utcb.PROCESSOR_NO); }

    public void setVirtualSender(long id) { setTcr(Utcb.VIRTUAL_SENDER, id); }

    public long actualSender() { return tcr(Utcb.VIRTUAL_SENDER); }

    public long intendedReceiver() { return tcr(Utcb.INTENDED_RECEIVER); }

    public long xferTimeouts() { return tcr(Utcb.XFER_TIMEOUTS); }

    public void setXferTimeouts(long t) { setTcr(Utcb.XFER_TIMEOUTS, t); }

    // --- delayed preemption (§3.4): L4_DisablePreemption, L4_EnablePreemption, L4_PreemptionPending

    /** Asks the kernel to delay this thread's preemption (sets "d"); answers whether it was set before. */
    public boolean disablePreemption() {
        long f = tcr(Utcb.PREEMPT_FLAGS);
        setTcr(Utcb.PREEMPT_FLAGS, f | Utcb.PREEMPT_D);
        return (f & Utcb.PREEMPT_D) != 0;
    }

    /** Clears "d"; answers whether it was set. */
    public boolean enablePreemption() {
        long f = tcr(Utcb.PREEMPT_FLAGS);
        setTcr(Utcb.PREEMPT_FLAGS, f & ~Utcb.PREEMPT_D);
        return (f & Utcb.PREEMPT_D) != 0;
    }

    /** Whether the kernel delayed a preemption of this thread ("p"), which it then clears. */
    public boolean preemptionPending() {
        long f = tcr(Utcb.PREEMPT_FLAGS);
        setTcr(Utcb.PREEMPT_FLAGS, f & ~Utcb.PREEMPT_P);
        return (f & Utcb.PREEMPT_P) != 0;
    }

    public long threadWord(int i) { return tcr(i == 0 ? Utcb.THREAD_WORD0 : Utcb.THREAD_WORD1); }

    public void setThreadWord(int i, long v) { setTcr(i == 0 ? Utcb.THREAD_WORD0 : Utcb.THREAD_WORD1, v); }

    // ------------------------------------------------------------------------ raw system calls

    /** The Ipc primitive: returns the received tag (MR0); {@link #from()} has the sender. */
    public long ipc(long to, long fromSpecifier, long timeouts) {
        from = cpu.ipc(to, fromSpecifier, timeouts);
        return mr(0);
    }

    public long lipc(long to, long fromSpecifier, long timeouts) {
        from = cpu.lipc(to, fromSpecifier, timeouts);
        return mr(0);
    }

    /** The From result of the last IPC. */
    public long from() { return from; }

    /**
     * ExchangeRegisters. Note the order: IP before SP, as everywhere in this library (the X.2
     * system call and libl4 take SP first). The old values are in the result registers:
     * {@link #exRegsResult} decodes them.
     */
    public long exchangeRegisters(long dest, long control, long ip, long sp, long flags, long handle, long pager) {
        return cpu.exchangeRegisters(dest, control, sp, ip, flags, handle, pager);
    }

    /** The result of the ExchangeRegisters call that returned {@code returned}, decoded from the result registers. */
    public ExRegs.Result exRegsResult(long returned) { return ExRegs.Result.of(returned, this::reg); }

    /** Reads a thread's registers and state without changing anything (ExchangeRegisters, control 0). */
    public ExRegs.Result readRegisters(long t) {
        return exRegsResult(exchangeRegisters(t, 0, 0, 0, 0, 0, ThreadId.NIL));
    }

    /** A result register of the last system call ({@link UserCpu#R_CONTROL} and so on), 0 ≤ i < 6. */
    public long reg(int i) { return cpu.reg(Objects.checkIndex(i, UserCpu.RESULT_REGISTERS)); }

    public boolean threadControl(long dest, long space, long scheduler, long pager, long utcbLocation) {
        return cpu.threadControl(dest, space, scheduler, pager, utcbLocation) == 1;
    }

    public boolean spaceControl(long space, long control, long kipArea, long utcbArea, long redirector) {
        return cpu.spaceControl(space, control, kipArea, utcbArea, redirector) == 1;
    }

    public long schedule(long dest, long timeControl, long processorControl, long prioControl, long preemptionControl) {
        return cpu.schedule(dest, timeControl, processorControl, prioControl, preemptionControl);
    }

    public void threadSwitch(long dest) { cpu.threadSwitch(dest); }

    public void yieldCpu() { cpu.threadSwitch(ThreadId.NIL); }

    /**
     * Unmap (§11.6) of the fpages already in MR0..MRk ({@code control} = k, plus
     * {@link Fpage#UNMAP_FLUSH} to revoke this space's own mappings too); each MR comes back
     * with the status bits (referenced, written, executed) in its rwx bits.
     */
    public void unmap(long control) { cpu.unmap(control); }

    /** Revokes {@code fpage}'s rwx from what was mapped from its pages; answers it with the status bits (L4_UnmapFpage). */
    public long unmapFpage(long fpage) { return unmapOne(fpage, 0); }

    /** As {@link #unmapFpage}, and from this space's own mappings too (L4_Flush). */
    public long flush(long fpage) { return unmapOne(fpage, Fpage.UNMAP_FLUSH); }

    /** Reads and resets the status bits of {@code fpage}'s pages, revoking nothing (L4_GetStatus): rwx of the result. */
    public int status(long fpage) { return Fpage.rights(unmapOne(fpage & ~(long) Fpage.RWX, 0)); }

    private long unmapOne(long fpage, long control) {
        setMr(0, fpage);
        cpu.unmap(control);
        return mr(0);
    }

    /** Microseconds since boot. */
    public long systemClock() { return cpu.systemClock(); }

    /** Raises a trap with {@code code} to this thread's exception handler ({@link UserCpu#trap}). */
    public void trap(long code) { cpu.trap(code); }

    /** The KIP's address in this space. */
    public long kernelInterface() { return cpu.kernelInterface(); }

    // ------------------------------------------------------------------------------ memory

    public long load(long vaddr) { return cpu.load(vaddr); }

    public void store(long vaddr, long value) { cpu.store(vaddr, value); }

    /** An execute access: the word at {@code vaddr}, from a page with X rights. */
    public long fetch(long vaddr) { return cpu.fetch(vaddr); }

    /** A {@code bytes}-byte (1, 2, 4, 8) little-endian value at {@code vaddr}, zero-extended; naturally aligned. */
    public long load(long vaddr, int bytes) { return cpu.load(vaddr, bytes); }

    public void store(long vaddr, long value, int bytes) { cpu.store(vaddr, value, bytes); }

    public int load8(long vaddr) { return (int) cpu.load(vaddr, 1); }

    public int load16(long vaddr) { return (int) cpu.load(vaddr, 2); }

    /** The 32-bit value at {@code vaddr}, zero-extended. */
    public long load32(long vaddr) { return cpu.load(vaddr, 4); }

    public void store8(long vaddr, int value) { cpu.store(vaddr, value, 1); }

    public void store16(long vaddr, int value) { cpu.store(vaddr, value, 2); }

    public void store32(long vaddr, long value) { cpu.store(vaddr, value, 4); }

    /** Copies {@code len} bytes at {@code vaddr} into {@code dst[off..]}, page by page ({@link UserCpu#read}). */
    public void read(long vaddr, byte[] dst, int off, int len) { cpu.read(vaddr, dst, off, len); }

    public byte[] read(long vaddr, int len) {
        byte[] b = new byte[len];
        cpu.read(vaddr, b, 0, len);
        return b;
    }

    /** Copies {@code src[off..off+len)} to {@code vaddr}, page by page ({@link UserCpu#write}). */
    public void write(long vaddr, byte[] src, int off, int len) { cpu.write(vaddr, src, off, len); }

    public void write(long vaddr, byte[] src) { cpu.write(vaddr, src, 0, src.length); }

    // ----------------------------------------------------------- derived IPC (ipc.h conventions)

    public static boolean failed(long tag) { return MsgTag.isError(tag); }

    public boolean ipcFailed() { return MsgTag.isError(mr(0)); }

    public int ipcError() { return IpcError.error(errorCode()); }

    public long send(long to) { return ipc(to, ThreadId.NIL, Timeout.timeouts(Timeout.NEVER, Timeout.NEVER)); }

    public long send(long to, int sndTimeout) { return ipc(to, ThreadId.NIL, Timeout.timeouts(sndTimeout, Timeout.NEVER)); }

    public long reply(long to) { return ipc(to, ThreadId.NIL, Timeout.timeouts(Timeout.ZERO, Timeout.NEVER)); }

    public long receive(long from) { return ipc(ThreadId.NIL, from, Timeout.NEVER_NEVER); }

    public long receive(long from, int rcvTimeout) { return ipc(ThreadId.NIL, from, Timeout.timeouts(Timeout.NEVER, rcvTimeout)); }

    public long waitAny() { return ipc(ThreadId.NIL, ThreadId.ANY, Timeout.NEVER_NEVER); }

    public long waitAny(int rcvTimeout) { return ipc(ThreadId.NIL, ThreadId.ANY, Timeout.timeouts(Timeout.NEVER, rcvTimeout)); }

    public long waitLocal() { return ipc(ThreadId.NIL, ThreadId.ANY_LOCAL, Timeout.NEVER_NEVER); }

    public long call(long to) { return ipc(to, to, Timeout.NEVER_NEVER); }

    public long call(long to, int snd, int rcv) { return ipc(to, to, Timeout.timeouts(snd, rcv)); }

    public long replyWait(long to) { return ipc(to, ThreadId.ANY, Timeout.timeouts(Timeout.ZERO, Timeout.NEVER)); }

    public long replyWait(long to, int rcvTimeout) { return ipc(to, ThreadId.ANY, Timeout.timeouts(Timeout.ZERO, rcvTimeout)); }

    /** Sleep: a closed receive from oneself, which can only end in a receive timeout. */
    public long sleep(int timeout) { return ipc(ThreadId.NIL, myGlobalId(), Timeout.timeouts(Timeout.NEVER, timeout)); }

    /** Sleeps about {@code micros} µs: the period is rounded down ({@link Timeout#period}); {@code sleep(Timeout.micros(n))} is exact or refused. */
    public long sleepMicros(long micros) { return sleep(Timeout.period(micros)); }

    public long lcall(long to) { return lipc(to, to, Timeout.NEVER_NEVER); }

    public long lreplyWait(long to) { return lipc(to, ThreadId.ANY_LOCAL, Timeout.timeouts(Timeout.ZERO, Timeout.NEVER)); }

    // --------------------------------------------------------------- thread helpers (thread.h)

    // ---------------------------------------------------------------------- interrupts (§13.3)

    /** The interrupt thread of device line {@code line}: {@code (line, 1)}. */
    public static long interruptThread(int line) { return ThreadId.global(line, 1); }

    /** Associates interrupt thread {@code irq} with {@code handler} (privileged: ThreadControl(irq, irq, nil, handler, -1)). */
    public boolean associateInterrupt(long irq, long handler) { return threadControl(irq, irq, ThreadId.NIL, handler, -1); }

    /** Dissociates interrupt thread {@code irq} from its handler. */
    public boolean deassociateInterrupt(long irq) { return threadControl(irq, irq, ThreadId.NIL, irq, -1); }

    /** Whether a received tag is an interrupt message (label −1, no words). */
    public static boolean isInterrupt(long tag) {
        return MsgTag.label(tag) == MsgTag.LABEL_INTERRUPT && MsgTag.u(tag) == 0 && MsgTag.t(tag) == 0 && !MsgTag.isError(tag);
    }

    /** Acknowledges the interrupt of {@code irq} and waits for the next message from anyone (ReplyWait). */
    public long acknowledgeAndWait(long irq) { return replyWait(irq); }

    public long globalIdOf(long localId) { return exchangeRegisters(localId, 0, 0, 0, 0, 0, ThreadId.NIL); }

    public long localIdOf(long globalId) { return exchangeRegisters(globalId, 0, 0, 0, 0, 0, ThreadId.NIL); }

    /** Starts (resumes) a thread, cancelling its IPC: L4_Start. */
    public long start(long t) { return exchangeRegisters(t, ExRegs.START, 0, 0, 0, 0, ThreadId.NIL); }

    /** Starts a thread at a new IP and SP: L4_Start_SpIp, with IP first as everywhere here. */
    public long start(long t, long ip, long sp) {
        return exchangeRegisters(t, ExRegs.START | ExRegs.SET_SP | ExRegs.SET_IP, ip, sp, 0, 0, ThreadId.NIL);
    }

    public long stop(long t) { return exchangeRegisters(t, ExRegs.STOP, 0, 0, 0, 0, ThreadId.NIL); }

    public long abortIpcAndStop(long t) {
        return exchangeRegisters(t, ExRegs.STOP | ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
    }

    /** Sends the X.2 start-up message (IP, SP) to a freshly activated thread: its pager does this. */
    public long startThread(long t, long ip, long sp) {
        loadMsg(0, ip, sp);
        return send(t);
    }

    public long setPriority(long t, int prio) {
        return schedule(t, Schedule.UNCHANGED, Schedule.UNCHANGED, prio, Schedule.UNCHANGED);
    }

    public long setTimeslice(long t, int timeslice, int totalQuantum) {
        return schedule(t, Schedule.timeControl(timeslice, totalQuantum), Schedule.UNCHANGED, Schedule.UNCHANGED, Schedule.UNCHANGED);
    }

    /** The thread's state as Schedule reports it (changing nothing): a result word, {@link Schedule.State#of} decodes it. */
    public long threadState(long t) {
        return schedule(t, Schedule.UNCHANGED, Schedule.UNCHANGED, Schedule.UNCHANGED, Schedule.UNCHANGED);
    }

    /** TimeControl' of the last Schedule call, decoded: the thread's remaining timeslice and quantum. */
    public Schedule.TimeControl timeControlResult() { return Schedule.TimeControl.of(reg(UserCpu.R_TIME_CONTROL)); }

    // ------------------------------------------------------------------------------- KIP

    /** Reads a word of the KIP at a byte offset (§12). */
    public long kip(int offset) { return load(kernelInterface() + offset); }

    public static long fpage(long base, int log2) { return Fpage.log2(base, log2); }
}
