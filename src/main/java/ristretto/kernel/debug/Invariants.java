package ristretto.kernel.debug;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ristretto.abi.ThreadId;
import ristretto.kernel.Kernel;
import ristretto.kernel.mem.Space;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.Xfer;
import ristretto.kernel.time.Timeouts;
import ristretto.kernel.thread.ThreadState;

/**
 * The kernel's structural invariants, checked from outside (tests, the console): IDs match their
 * slots, send queues hold exactly the polling senders aimed at their owner, space thread counts
 * are right, timeouts are armed only for threads that can time out, every runnable thread can be
 * found by its scheduler, closed receivers can be found by the thread they wait for, and each
 * activated thread owns its UTCB location. Reads only; O(threads).
 */
public final class Invariants {
    private Invariants() {}

    public static List<String> violations(Kernel k) {
        List<String> v = new ArrayList<>();
        Map<Space, Integer> counts = new HashMap<>();
        for (int no = 0; no < k.threads.capacity(); no++) {
            Tcb t = k.threads.slot(no);
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
                } while (s != t.sendHead && ++guard < k.threads.capacity());
            }
            boolean timed = t.timeoutCpu != null;
            if (timed != t.cpu.wakeups.isScheduled(no) && t.timeoutCpu == t.cpu) v.add(n + ": timeout bookkeeping differs from the wheel");
            if (timed && t.state != ThreadState.POLLING && t.state != ThreadState.WAITING_TIMEOUT && !Timeouts.holdsXfer(t))
                v.add(n + ": timeout armed in state " + ThreadState.name(t.state));
            if (t.state == ThreadState.WAITING_TIMEOUT && !timed) v.add(n + ": waiting_timeout without a deadline");
            Processor p = t.cpu;
            if (t.runnable() && t.activated() && p.current != t && !p.scheduler.isQueued(t))
                v.add(n + ": runnable but in no ready queue");
            if (ThreadState.isWaiting(t.state) && !t.awaitingStartup && ThreadId.isGlobal(t.partner)
                    && t.partner != ThreadId.ANY && t.partner != ThreadId.NIL) {
                Tcb on = k.threads.lookupGlobal(t.partner);
                if (on != null && t.waitingOn != on) v.add(n + ": waits for " + ThreadId.toString(t.partner) + " but is not among its waiters");
            }
            Xfer x = t.xfer;
            if (x != null && (x.ended || (x.sender != t && x.receiver != t) || (x.sender == t ? x.receiver : x.sender).xfer != x))
                v.add(n + ": holds a string transfer it is not part of, or that ended");
            boolean locked = t.state == ThreadState.LOCKED_WAITING || t.state == ThreadState.WAITING_TUNNELED
                    || t.state == ThreadState.LOCKED_RUNNING_NESTED;
            if (locked && x == null && t.state != ThreadState.LOCKED_WAITING) v.add(n + ": " + ThreadState.name(t.state) + " outside a string transfer");
            if (t.state == ThreadState.LOCKED_WAITING && (t.partnerTcb == null || t.partnerTcb.partnerTcb != t && x == null))
                v.add(n + ": locked_waiting for no locked sender");
            if (t.activated() && t.space.utcbOwner(t.utcbLocation) != t) v.add(n + ": does not own its UTCB location");
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
}
