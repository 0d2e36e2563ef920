package ristretto.kernel;

import static ristretto.kernel.ThreadState.RUNNING;
import static ristretto.kernel.ThreadState.WAITING_FOREVER;

import jdk.internal.vm.Continuation;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;

/**
 * The IPC fast path (seeds 000/001, "IPC requirements for fast path"; §9.8): an untyped Call or
 * ReplyWait to a partner already blocked in a receive without timeout, on the same CPU, after
 * which the caller blocks. A list of guards, each falling back to the slow path, then one commit
 * point. It allocates nothing, touches no queue (lazy scheduling) and switches directly to the
 * receiver on the caller's timeslice. {@code FastPathEquivalenceTest} runs the same programs
 * with and without it and compares results, error codes and traces.
 */
final class FastPath {
    private FastPath() {}

    /** Returned when a guard fails: take the slow path. No user-visible From can equal it. */
    static final long SLOW = 0x5L;   // a global-looking ID with thread number 0: never a valid From

    static long call(Tcb self, Processor p, long to, long fromSpec, long timeouts) {
        long tag = self.mr(0);
        Tcb dest = partner(self, p, tag, to, fromSpec, timeouts);
        if (dest == null) return SLOW;
        // ---- commit: from here on nothing can fail
        int u = (int) (tag & 0x3F);
        if (u != 0) p.kernel.copyWords(self, dest, u);
        dest.setMr(0, tag);
        dest.ipcResult = dest.space == self.space ? self.localId : self.globalId;
        dest.partner = self.globalId;
        dest.state = RUNNING;
        self.partner = fromSpec == to ? dest.globalId : fromSpec;
        self.partnerTcb = null;
        self.state = WAITING_FOREVER;
        if (p.kernel.fastPathExtras != 0) extras(self, dest, p);
        p.next = dest;
        Continuation.yield(Processor.SCOPE);
        // ---- resumed: our partner (fast or slow) has set our results
        if (self.pendingWork != 0) p.handlePending(self);
        return self.ipcResult;
    }

    /**
     * The guards: answers the receiver if this IPC may take the fast path, else null. Kept apart
     * from the commit so that both stay small enough for the JIT to inline into the trap gate:
     * a fast path that is its own compiled frame costs a frame copy on every switch.
     */
    private static Tcb partner(Tcb self, Processor p, long tag, long to, long fromSpec, long timeouts) {
        if ((tag & 0xFFC0L) != 0) return null;                   // typed words or flags
        if ((timeouts & 0xFFFFL) != 0) return null;              // receive timeout must be never
        if (self.space.redirector != ThreadId.NIL) return null;  // redirection takes the slow path
        // A same-space server replies to the local ID its From said (Pistachio converts in the stub).
        Tcb dest = ThreadId.isGlobal(to) ? p.kernel.lookupGlobal(to) : p.kernel.lookup(to, self);
        if (dest == null || dest.state != WAITING_FOREVER || dest.cpu != p || dest.awaitingStartup) return null;
        long w = dest.partner;
        if (w != self.globalId && w != ThreadId.ANY) return null;
        if (fromSpec != to && (fromSpec != ThreadId.ANY || self.sendHead != null)) return null;
        return dest;
    }

    /** Out of line, one flag word for both: tracing, and eager ready queues (the ablation). */
    private static void extras(Tcb self, Tcb dest, Processor p) {
        if (p.kernel.tracing) traceCommit(self, dest, p);
        if (!p.kernel.lazyScheduling) {
            p.ready.remove(self);
            p.ready.enqueue(dest);
        }
    }

    /** The same trace records the slow path writes for this rendezvous. */
    private static void traceCommit(Tcb self, Tcb dest, Processor p) {
        p.kernel.trace(Trace.DELIVER, self, dest);
        p.kernel.trace(Trace.BLOCK_RECEIVE, self, dest);
        p.kernel.trace.fastPathHits++;
    }
}
