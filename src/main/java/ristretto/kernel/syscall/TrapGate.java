package ristretto.kernel.syscall;

import java.lang.foreign.MemorySegment;
import jdk.internal.vm.Continuation;
import ristretto.abi.ExceptionMessage;
import ristretto.abi.Kip;
import ristretto.abi.ThreadId;
import ristretto.abi.UserCpu;
import ristretto.kernel.Kernel;
import ristretto.kernel.debug.Monitors;
import ristretto.kernel.ipc.FastPath;
import ristretto.kernel.ipc.Ipc;
import ristretto.kernel.mem.Faults;
import ristretto.kernel.meter.MeterGate;
import ristretto.kernel.sched.Meter;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.sched.StackHeadroom;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.UserFault;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * A thread's trap gate: the {@link UserCpu} its user code holds. Every system call and every
 * memory access enters the kernel here, on the thread's own stack, and is dispatched to the
 * class of that system call. The gate holds its TCB in a private final field of a package the
 * module does not export, so user code can call the gate but never reach the kernel behind it.
 */
public final class TrapGate implements UserCpu {
    private final Tcb self;

    public TrapGate(Tcb self) { this.self = self; }

    /**
     * Kernel entry: make sure the kernel's deepest path fits on this stack before anything changes
     * ({@link StackHeadroom}), charge the entry and the bytecodes run since the last one to the
     * clock ({@link Meter#settle}), and take due events first.
     */
    private Processor enter(boolean maySwitch) {
        Tcb t = self;
        Processor p = t.cpu;
        if (p.current != t) foreignEntry();
        if (!StackHeadroom.kernelFits()) p.noHeadroom(t);
        if (MeterGate.initialising != 0 && maySwitch) inInitialiser();
        Kernel k = t.kernel;
        if (k.checkedMode) Monitors.checkNoneHeld(t);
        if (p.machineCpu.charge(k.costEntryNs + Meter.settle(k.entryBytecodes) * k.instructionNs)
                && MeterGate.initialising == 0) p.checkEvents(t);        // inside an initialiser, events wait
        return p;
    }

    /**
     * A system call that may block or switch, made inside a user class's static initialiser: the
     * JVM runs an initialiser through a native frame, which pins the thread to its carrier, so it
     * can neither block nor be preempted there (its events wait until the initialiser ends). A
     * user-program error, refused before anything changed.
     */
    private void inInitialiser() {
        throw new UserFault("thread " + ThreadId.toString(self.globalId) + ": a system call that may block or switch "
                + "inside a static initialiser, where the thread is pinned to its CPU: make it from main or a method");
    }

    /** A gate was called by code not running as its thread: a user-program error. */
    private void foreignEntry() {
        throw new UserFault("system call through the UserCpu of " + ThreadId.toString(self.globalId)
                + " from another thread: each L4 thread must use its own UserCpu");
    }

    /**
     * The IPC trap gate. The fast path has returned by the time the gate switches to the receiver,
     * so the gate stays small and the JIT inlines it into user code: the continuation then
     * freezes only the user's frames ({@code ristretto.system.JvmOptions#FAST_PATH_OUT_OF_LINE}).
     */
    @Override public long ipc(long to, long fromSpecifier, long timeouts) {
        Processor p = enter(true);
        Tcb t = self;
        int how;
        if (t.kernel.fastPath && (how = FastPath.transfer(t, p, to, fromSpecifier, timeouts)) != FastPath.SLOW) {
            // To p.next, the receiver: on this stack if it can be, else by yielding (to the
            // dispatcher, or to the receiver itself when it is mounted below us). Either way our
            // partner has set our results when we run again.
            if (how != FastPath.NEST || !p.switchNested(t)) {
                try {
                    Continuation.yield(Processor.SCOPE);
                } catch (StackOverflowError e) {
                    p.switchFailed(t, e);                 // no stack left to freeze: rolled back
                }
            }
            return p.returnToUser(t);
        }
        return Ipc.ipc(t, p, to, fromSpecifier, timeouts);
    }

    @Override public long lipc(long to, long fromSpecifier, long timeouts) {
        return ipc(to, fromSpecifier, timeouts);   // X.2 allows Lipc to be Ipc; as in Pistachio
    }

    @Override public long exchangeRegisters(long dest, long control, long sp, long ip, long flags, long handle, long pager) {
        enter(true);
        return ExchangeRegisters.invoke(self, dest, control, sp, ip, flags, handle, pager);
    }

    @Override public long threadControl(long dest, long spaceSpecifier, long scheduler, long pager, long utcbLocation) {
        enter(true);
        return ThreadControl.invoke(self, dest, spaceSpecifier, scheduler, pager, utcbLocation);
    }

    @Override public long spaceControl(long spaceSpecifier, long control, long kipArea, long utcbArea, long redirector) {
        enter(false);
        return SpaceControl.invoke(self, spaceSpecifier, control, kipArea, utcbArea, redirector);
    }

    @Override public long schedule(long dest, long timeControl, long processorControl, long prioControl, long preemptionControl) {
        enter(true);
        return Scheduling.schedule(self, dest, timeControl, processorControl, prioControl, preemptionControl);
    }

    @Override public void threadSwitch(long dest) {
        Processor p = enter(true);
        Scheduling.threadSwitch(self, p, dest);
    }

    @Override public long unmap(long control) {
        enter(false);
        return Unmap.invoke(self, control);
    }

    @Override public long systemClock() {
        enter(false);
        return self.kernel.machine.clock().nowMicros();
    }

    /** The explicit trap: an exception IPC ({@link Faults#exception}); another IP in the reply restarts the thread there. */
    @Override public void trap(long code) {
        Processor p = enter(true);
        Tcb t = self;
        if (Faults.exception(t, p, ExceptionMessage.TRAP, code, "trap " + code) == Faults.RESUMED_ELSEWHERE) Faults.restart(t, p);
        p.returnToUser(t);
    }

    @Override public long kernelInterface() {
        enter(false);
        long[] regs = self.regs;
        regs[R_API_VERSION] = Kip.API_VERSION;
        regs[R_API_FLAGS] = Kip.API_FLAGS;
        regs[R_KERNEL_ID] = Kernel.KERNEL_ID;
        return self.space.kipBase();
    }

    /** A result register; an index the processor does not have is a user fault, not a kernel error. */
    @Override public long reg(int index) {
        long[] regs = self.regs;
        if (index < 0 || index >= regs.length) throw new UserFault("no result register " + index + " (0.." + (regs.length - 1) + ")");
        return regs[index];
    }

    /**
     * A user memory access: a TLB hit changes no kernel state; events and faults enter the kernel.
     * The access and the bytecodes run before it are charged to the clock ({@link Meter#settle}).
     */
    @Override public long load(long vaddr) { return self.kernel.memory.load(access(vaddr, Pte.R, 8)); }

    @Override public void store(long vaddr, long value) { self.kernel.memory.store(access(vaddr, Pte.W, 8), value); }

    /** An execute access: {@link #load} with X rights needed, so the page's X status bit is set. */
    @Override public long fetch(long vaddr) { return self.kernel.memory.load(access(vaddr, Pte.X, 8)); }

    /** A sized load: {@link #load} for 1, 2, 4 or 8 bytes, naturally aligned; the size is checked before anything else. */
    @Override public long load(long vaddr, int bytes) {
        checkSize(bytes);
        return self.kernel.memory.load(access(vaddr, Pte.R, bytes), bytes);
    }

    @Override public void store(long vaddr, long value, int bytes) {
        checkSize(bytes);
        self.kernel.memory.store(access(vaddr, Pte.W, bytes), value, bytes);
    }

    /**
     * Every single access (word, sized, execute): charges it and the bytecodes run before it,
     * takes due events, translates {@code vaddr} for {@code rights}, and faults if the page or its
     * rights are missing or the address is not aligned to {@code bytes}: the physical address.
     */
    private long access(long vaddr, long rights, int bytes) {
        Tcb t = self;
        Processor p = t.cpu;
        Kernel k = t.kernel;
        if (k.accessInBudget) {
            // The access costs whole bytecodes: taken from the meter's budget like a yieldpoint's,
            // on the clock at the next settlement; a budget run out means an event may be due.
            int b = MeterGate.budget - k.accessBytecodes;
            MeterGate.budget = b;
            if (b < 0) budgetSpent(t, p);
        } else if (p.machineCpu.charge(k.costMemoryNs + Meter.settle(k.accessBytecodes) * k.instructionNs)) {
            events(t, p);
        }
        long pa = p.machineCpu.translate(vaddr, rights);
        if (pa < 0 || (vaddr & (bytes - 1)) != 0) pa = fault(t, p, vaddr, rights, bytes);
        if (pa >= k.memory.size() && k.accessInBudget) Meter.account(t.cpu);       // device memory: the device sees the time of the access
        return pa;
    }

    /**
     * An access found the meter's budget spent: what ran since the last settlement, this access
     * included, goes on the clock; due events are taken (which grants a new budget), else the
     * budget is granted anew up to the next event.
     */
    private static void budgetSpent(Tcb t, Processor p) {
        if (p.machineCpu.charge(Meter.settle(0) * t.kernel.instructionNs) && MeterGate.initialising == 0) events(t, p);
        else Meter.regrant(p);
    }

    /** The machine has 1-, 2-, 4- and 8-byte accesses; asking for another is the program's fault. */
    private static void checkSize(int bytes) {
        if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8)
            throw new UserFault("no " + bytes + "-byte memory access (1, 2, 4 or 8)");
    }

    @Override public void read(long vaddr, byte[] dst, int off, int len) {
        checkRange("read", dst, off, len);
        copy(vaddr, dst, off, len, Pte.R);
    }

    @Override public void write(long vaddr, byte[] src, int off, int len) {
        checkRange("write", src, off, len);
        copy(vaddr, src, off, len, Pte.W);
    }

    /** A bad Java array range is the program's fault, found before any memory is touched. */
    private static void checkRange(String op, byte[] a, int off, int len) {
        if (a == null) throw new UserFault(op + ": no array");
        if (off < 0 || len < 0 || off > a.length - len)
            throw new UserFault(op + ": range [" + off + ", " + off + " + " + len + ") outside an array of " + a.length + " bytes");
    }

    /**
     * A bulk copy, page by page: each page's piece is charged as one access per 8 bytes or part,
     * events are taken before it (so a long copy can be preempted between pages), and it is
     * translated once, through the same fault path as a load or store. A fault that stops the
     * thread leaves the pieces before it copied. The CPU is read again for each piece, since the
     * thread may have waited in between.
     */
    private void copy(long vaddr, byte[] a, int off, int len, long access) {
        Tcb t = self;
        Kernel k = t.kernel;
        while (len > 0) {
            Processor p = t.cpu;
            int n = (int) Math.min(len, PhysicalMemory.PAGE_SIZE - (vaddr & (PhysicalMemory.PAGE_SIZE - 1)));
            if (p.machineCpu.charge(k.costMemoryNs * ((n + 7) >>> 3) + Meter.settle(k.accessBytecodes) * k.instructionNs))
                events(t, p);
            long pa = p.machineCpu.translate(vaddr, access);
            if (pa < 0) pa = fault(t, p, vaddr, access, 1);
            if (access == Pte.W) k.memory.write(pa, a, off, n);
            else k.memory.read(pa, a, off, n);
            vaddr += n;
            off += n;
            len -= n;
        }
    }

    private static void events(Tcb t, Processor p) {
        if (MeterGate.initialising != 0) return;                       // pinned in an initialiser: events wait
        if (!StackHeadroom.kernelFits()) p.noHeadroom(t);
        p.checkEvents(t);
    }

    private static long fault(Tcb t, Processor p, long vaddr, long access, int bytes) {
        if (!StackHeadroom.kernelFits()) p.noHeadroom(t);
        if (MeterGate.initialising != 0)                                // a fault may stop the thread: it cannot here
            throw new UserFault("thread " + ThreadId.toString(t.globalId) + ": a page fault at 0x" + Long.toHexString(vaddr)
                    + " inside a static initialiser, where the thread is pinned to its CPU and cannot wait for its pager");
        return Faults.userAccess(t, p, vaddr, access, bytes);
    }

    @Override public MemorySegment utcb() { return self.utcb; }

    @Override public String toString() { return "UserCpu[" + ThreadId.toString(self.globalId) + "]"; }
}
