package ristretto.kernel;

import java.util.ArrayList;
import java.util.List;
import ristretto.abi.ThreadId;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.ThreadState;

/**
 * Read-only inspection of the kernel's IPC bookkeeping after a run, for the IPC tests (same
 * package, so it reads the package-private TCB fields directly; nothing in the kernel changes).
 * At a halt no IPC can be mid-flight, so the checks are strict.
 */
final class IpcInspector {
    private IpcInspector() {}

    /** Every violation of the send-queue and blocking invariants at a halt, empty if all hold. */
    static List<String> violations(Kernel k) { return violations(k, true); }

    /**
     * The same checks at any moment a root thread runs ({@code atHalt} false): then a handshake
     * may legitimately be pending, so locked states are allowed.
     */
    static List<String> violations(Kernel k, boolean atHalt) {
        List<String> v = new ArrayList<>();
        for (int no = 0; no < k.threads.capacity(); no++) {
            Tcb t = k.threads.slot(no);
            if (t == null) continue;
            String n = ThreadId.toString(t.globalId);
            if (t.space == null) v.add(n + ": live slot without a space");
            if (atHalt && (t.state == ThreadState.LOCKED_RUNNING || t.state == ThreadState.LOCKED_WAITING))
                v.add(n + ": still " + ThreadState.name(t.state) + " at the halt");
            boolean queued = t.sendNext != null;
            if (t.state == ThreadState.POLLING) {
                Tcb d = t.partnerTcb;
                if (d == null || k.threads.slot(d.threadNo) != d) v.add(n + ": polling on a dead or missing thread");
                else if (!inQueue(d, t)) v.add(n + ": polling but not in the send queue of " + ThreadId.toString(d.globalId));
                else if (t.partner != d.globalId) v.add(n + ": partner field does not name its queue owner");
            } else if (queued) {
                v.add(n + ": in a send queue while " + ThreadState.name(t.state));
            }
            if (t.sendHead != null) {
                Tcb s = t.sendHead;
                int guard = 0;
                do {
                    if (k.threads.slot(s.threadNo) != s) v.add(n + ": send queue holds a deleted thread");
                    if (s.state != ThreadState.POLLING || s.partnerTcb != t)
                        v.add(n + ": send queue holds " + ThreadId.toString(s.globalId) + " in state " + ThreadState.name(s.state));
                    if (s.sendNext == null || s.sendNext.sendPrev != s) { v.add(n + ": broken send-queue links"); break; }
                    if (s.sendNext != t.sendHead && s.sendNext.prio > s.prio) v.add(n + ": send queue out of priority order");
                    s = s.sendNext;
                } while (s != t.sendHead && ++guard <= k.threads.capacity());
            }
            if (ThreadState.isWaiting(t.state) && t.sendHead != null) {
                // A lost wakeup: blocked in a receive although a sender it accepts is queued.
                Tcb s = t.sendHead;
                int guard = 0;
                do {
                    long w = t.partner;
                    if (w == ThreadId.ANY || (w == ThreadId.ANY_LOCAL && s.space == t.space) || w == s.globalId || w == s.ipcSender)
                        v.add(n + ": waits for " + ThreadId.toString(w) + " although " + ThreadId.toString(s.globalId) + " is queued");
                    s = s.sendNext;
                } while (s != null && s != t.sendHead && ++guard <= k.threads.capacity());
            }
            boolean timed = t.timeoutCpu != null;
            if (timed && t.state != ThreadState.POLLING && t.state != ThreadState.WAITING_TIMEOUT)
                v.add(n + ": a deadline is armed in state " + ThreadState.name(t.state));
        }
        return v;
    }

    private static boolean inQueue(Tcb owner, Tcb t) {
        Tcb s = owner.sendHead;
        if (s == null) return false;
        int guard = 0;
        do {
            if (s == t) return true;
            s = s.sendNext;
        } while (s != null && s != owner.sendHead && ++guard < (1 << 20));
        return false;
    }

    /** The threads queued on {@code receiver}, in queue order (global IDs). */
    static List<Long> sendQueue(Kernel k, long receiver) {
        List<Long> out = new ArrayList<>();
        Tcb r = k.threads.lookupGlobal(receiver);
        if (r == null || r.sendHead == null) return out;
        Tcb s = r.sendHead;
        do { out.add(s.globalId); s = s.sendNext; } while (s != r.sendHead && out.size() <= k.threads.capacity());
        return out;
    }
}
