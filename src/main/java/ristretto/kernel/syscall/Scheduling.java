package ristretto.kernel.syscall;

import static ristretto.kernel.thread.ThreadState.*;

import ristretto.abi.ErrorCode;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.ipc.SendQueue;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;

/**
 * The Schedule and ThreadSwitch system calls (§11.3, §11.4).
 *
 * <p>Deviations from Pistachio, following X.2: malformed time, processor or priority words are
 * "invalid parameter" (Pistachio: invalid thread); TimeControl' returns the remaining timeslice
 * and total quantum encoded as time periods (Pistachio: raw µs).
 */
final class Scheduling {
    private Scheduling() {}

    static long schedule(Tcb self, long dest, long timeControl, long processorControl, long prioControl, long preemptionControl) {
        Kernel k = self.kernel;
        self.regs[UserCpu.R_TIME_CONTROL] = 0;
        // ---- validate
        Tcb t = dest == ThreadId.NIL ? null : k.threads.lookup(dest, self);
        if (t == null || t.irqLine >= 0 && t.state == ABORTED) return fail(self, ErrorCode.INVALID_THREAD);   // (an interrupt thread: once associated)
        boolean privileged = self.space.privileged;
        if (!privileged && t.scheduler != self.globalId) return fail(self, ErrorCode.NO_PRIVILEGE);
        long U = Schedule.UNCHANGED;
        int ts = 0, tq = 0;
        if (timeControl != U) {
            ts = (int) (timeControl >>> 16) & 0xFFFF;
            tq = (int) timeControl & 0xFFFF;
            if (Timeout.isPoint(ts) || Timeout.isPoint(tq) || ts == Timeout.ZERO || Timeout.periodMicros(ts) == 0)
                return fail(self, ErrorCode.INVALID_PARAMETER);
        }
        if (processorControl != U && (processorControl < 0 || processorControl >= k.processors.length))
            return fail(self, ErrorCode.INVALID_PARAMETER);
        int prio = -1;
        if (prioControl != U) {
            if ((prioControl & ~0xFFL) != 0) return fail(self, ErrorCode.INVALID_PARAMETER);
            prio = (int) prioControl;
            if (!privileged && prio > self.prio) return fail(self, ErrorCode.NO_PRIVILEGE);
        }
        int sens = -1, delay = -1;
        if (preemptionControl != U) {
            sens = (int) (preemptionControl >>> 16) & 0xFF;
            delay = (int) preemptionControl & 0xFFFF;
            if (!privileged && sens > self.prio) return fail(self, ErrorCode.NO_PRIVILEGE);
        }
        // ---- perform
        long result = stateResult(t);
        Processor p = t.cpu;
        self.regs[UserCpu.R_TIME_CONTROL] = Schedule.timeControl(Timeout.period(p.scheduler.sliceLeftNs(t) / 1000),
                t.quantumLeftNs == Long.MAX_VALUE ? Timeout.NEVER : Timeout.period(t.quantumLeftNs / 1000));
        if (timeControl != U) {
            t.timesliceNs = ts == Timeout.NEVER ? Long.MAX_VALUE / 4 : Timeout.periodMicros(ts) * 1000;
            t.sliceLeftNs = t.timesliceNs;
            t.totalQuantumNs = t.quantumLeftNs = tq == Timeout.NEVER ? Long.MAX_VALUE : Timeout.periodMicros(tq) * 1000;
            p.scheduler.timesliceChanged(t);
        }
        if (prio >= 0 && prio != t.prio) {
            // A queued sender keeps its send queue in priority order.
            Tcb receiver = t.state == POLLING ? t.partnerTcb : null;
            if (receiver != null) SendQueue.dequeue(receiver, t);
            p.scheduler.setPriority(t, prio);
            if (receiver != null) SendQueue.enqueue(receiver, t);
            if (t.sensitivePrio < prio) t.sensitivePrio = prio;
        }
        if (sens >= 0) {
            if (sens >= t.prio) t.sensitivePrio = sens;
            t.maxDelayMicros = delay;
            t.delayLeftMicros = delay;
        }
        // processorControl: one CPU until the SMP issue; a valid number is accepted as is.
        self.cpu.scheduler.preemptIfOutranked(self);
        return result;
    }

    static long stateResult(Tcb t) {
        return switch (t.state) {
            case ABORTED -> Schedule.DEAD;
            case HALTED -> Schedule.INACTIVE;
            case RUNNING -> Schedule.RUNNING;
            case POLLING -> Schedule.PENDING_SEND;
            case LOCKED_RUNNING, WAITING_TUNNELED -> Schedule.SENDING;
            case WAITING_FOREVER, WAITING_TIMEOUT -> Schedule.WAITING;
            case LOCKED_WAITING, LOCKED_RUNNING_NESTED -> Schedule.RECEIVING;
            default -> Schedule.ERROR;
        };
    }

    /** ThreadSwitch (§11.4): yield to the scheduler, or donate the timeslice to {@code dest}. */
    static void threadSwitch(Tcb self, Processor p, long dest) {
        Kernel k = self.kernel;
        // §3.4: ThreadSwitch refreshes the delayed-preemption budget and clears "pending".
        self.setWord(Utcb.PREEMPT_FLAGS, self.word(Utcb.PREEMPT_FLAGS) & ~Utcb.PREEMPT_P);
        self.delayLeftMicros = self.maxDelayMicros;
        if (dest != ThreadId.NIL) {
            Tcb t = k.threads.lookup(dest, self);
            if (t == self) return;
            if (t != null && t.runnable() && t.cpu == p && t.activated()) {
                k.trace(Trace.YIELD, self, t);
                p.scheduler.donate(self, t);
                if (self.pendingWork != 0) p.handlePending(self);
                return;
            }
        }
        k.trace(Trace.YIELD, self, null);
        p.scheduler.yield(self);
        if (self.pendingWork != 0) p.handlePending(self);
    }

    private static long fail(Tcb self, int error) { return Errors.fail(self, error, Schedule.ERROR); }
}
