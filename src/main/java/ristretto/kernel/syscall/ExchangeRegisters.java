package ristretto.kernel.syscall;

import static ristretto.abi.ExRegs.*;
import static ristretto.kernel.thread.ThreadState.*;

import ristretto.abi.ErrorCode;
import ristretto.abi.IpcError;
import ristretto.abi.ThreadId;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.ipc.Unwind;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;

/**
 * ExchangeRegisters(dest, control, sp, ip, flags, handle, pager) (§10): reads and sets another
 * thread's user registers, cancels its IPC, halts or resumes it, and converts between local and
 * global IDs. Only threads of the caller's own space; old values are always returned.
 *
 * <p>Halting a thread blocked in the kernel takes effect when the kernel operation completes
 * (X.2; Pistachio does not support it). A new IP takes effect when the thread next returns to
 * user level: its Java stack is abandoned and it starts afresh at the new entry point.
 */
final class ExchangeRegisters {
    private ExchangeRegisters() {}

    static long invoke(Tcb self, long dest, long control, long sp, long ip, long flags, long handle, long pager) {
        Kernel k = self.kernel;
        java.util.Arrays.fill(self.regs, 0);
        // ---- validate
        Tcb t = k.threads.lookup(dest, self);
        if (t == null || !t.activated() || t.space != self.space) return fail(self, ErrorCode.INVALID_THREAD);
        if ((control & ~(long) DEFINED) != 0) return fail(self, ErrorCode.INVALID_PARAMETER);
        int c = (int) control;
        // ---- old values
        int st = t.state;
        // A thread in a string transfer is sending or receiving, also while in a page fault for it.
        boolean sending = st == POLLING || st == LOCKED_RUNNING || st == WAITING_TUNNELED || t.xfer != null && t.xfer.sender == t;
        boolean receiving = isWaiting(st) || st == LOCKED_WAITING || st == LOCKED_RUNNING_NESTED || t.xfer != null && t.xfer.receiver == t;
        long old = 0;
        if (st == HALTED || (t.pendingWork & Tcb.PENDING_HALT) != 0) old |= WAS_HALTED;
        if (receiving) old |= WAS_RECEIVING;
        if (sending) old |= WAS_SENDING;
        self.regs[UserCpu.R_CONTROL] = old;
        self.regs[UserCpu.R_SP] = t.sp;
        self.regs[UserCpu.R_IP] = t.ip;
        self.regs[UserCpu.R_FLAGS] = t.flags;
        self.regs[UserCpu.R_HANDLE] = t.word(Utcb.USER_DEFINED_HANDLE);
        self.regs[UserCpu.R_PAGER] = t.word(Utcb.PAGER);
        // ---- perform: registers, then IPC cancellation, then halt/resume
        if ((c & SET_SP) != 0) t.sp = sp;
        if ((c & SET_IP) != 0) {
            t.ip = ip;
            if (t.cont != null) t.pendingWork |= Tcb.PENDING_RESTART;
        }
        if ((c & SET_FLAGS) != 0) t.flags = flags;
        if ((c & SET_PAGER) != 0) t.setWord(Utcb.PAGER, pager);
        if ((c & SET_HANDLE) != 0) t.setWord(Utcb.USER_DEFINED_HANDLE, handle);
        Processor p = t.cpu;
        boolean woke = false;
        if ((c & CANCEL_SEND) != 0 && sending) woke = Unwind.unwind(t, IpcError.CANCELED);
        if ((c & CANCEL_RECV) != 0 && receiving && t.state == st) woke = Unwind.unwind(t, IpcError.CANCELED);
        if ((c & HALT_VALID) != 0) {
            if ((c & HALT) != 0) {
                if (t.state == RUNNING && t != self && t.cont == null) {
                    t.state = HALTED;                      // not started yet: simply halted
                } else if (t.state == RUNNING && t != self && p.current != t) {
                    t.state = HALTED;                      // preempted in user mode
                } else if (t.state != HALTED) {
                    t.pendingWork |= Tcb.PENDING_HALT;     // blocked in the kernel, or self
                }
            } else {
                t.pendingWork &= ~Tcb.PENDING_HALT;
                if (t.state == HALTED) {
                    t.state = RUNNING;
                    if (t.cont != null && t.cont.isDone()) t.cont = null;
                    woke = true;
                }
            }
        }
        if ((woke || p.current != t) && t.runnable() && t != self) p.scheduler.wake(t);
        long result = ThreadId.isLocal(dest) ? t.globalId : t.localId;
        if (self.pendingWork != 0) self.cpu.handlePending(self);
        return result;
    }

    private static long fail(Tcb self, int error) { return Errors.fail(self, error, ThreadId.NIL); }
}
