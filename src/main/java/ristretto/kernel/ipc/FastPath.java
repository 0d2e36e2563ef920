package ristretto.kernel.ipc;

import static ristretto.kernel.thread.ThreadState.RUNNING;
import static ristretto.kernel.thread.ThreadState.WAITING_FOREVER;

import ristretto.abi.ThreadId;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;

/**
 * The IPC fast path (seeds 000/001, "IPC requirements for fast path"; §9.8): an untyped Call or
 * ReplyWait to a partner already blocked in a receive without timeout, on the same CPU, after
 * which the caller blocks. A list of guards, each falling back to the slow path, then one commit
 * point. It allocates nothing, touches no queue (lazy scheduling) and hands the CPU directly to
 * the receiver on the caller's timeslice. {@code FastPathEquivalenceTest} runs the same programs
 * with and without it and compares results, error codes and traces.
 *
 * <p>{@link #transfer} returns before the switch, which the trap gate ({@code TrapGate.ipc}) makes:
 * that keeps the gate small enough for the JIT to inline it into user code, so a switch freezes
 * no kernel frame at all ({@code ristretto.system.JvmOptions#FAST_PATH_OUT_OF_LINE}).
 */
public final class FastPath {
    private FastPath() {}

    /**
     * What {@link #transfer} answers: {@code SLOW}, a guard failed and nothing changed; else the
     * message is in the receiver, which runs next — {@code NEST}, mounted on this stack; {@code
     * YIELD}, by a yield, because it is mounted below us already (we run nested on its stack).
     */
    public static final int SLOW = 0, NEST = 1, YIELD = 2;

    /**
     * Guards, then the commit: answers {@link #NEST} or {@link #YIELD} once the message is in the
     * receiver and the receiver is {@code p.next}; the caller then switches to it that way.
     * {@link #SLOW}: a guard failed and nothing changed.
     */
    public static int transfer(Tcb self, Processor p, long to, long fromSpec, long timeouts) {
        long tag = self.mr(0);
        Tcb dest = partner(self, p, tag, to, fromSpec, timeouts);
        if (dest == null) return SLOW;
        // ---- commit: from here on nothing can fail. Every call comes first (the copy, the waiter
        // ring, tracing), the state stores last: a StackOverflowError thrown in a call leaves the
        // thread states as they were (the ring is lazy, a message copied into a waiting receiver
        // is not yet delivered).
        int u = (int) (tag & 0x3F);
        if (u != 0) Transfer.copyWords(self, dest, u);
        dest.setMr(0, tag);
        boolean call = fromSpec == to;                           // a Call: closed on the server
        if (call && self.waitingOn != dest) Waiters.await(self, dest);
        if (p.kernel.fastPathExtras != 0) extras(self, dest, p);
        dest.ipcResult = dest.space == self.space ? self.localId : self.globalId;
        dest.partner = self.globalId;
        dest.state = RUNNING;
        self.partnerTcb = null;
        self.state = WAITING_FOREVER;
        self.partner = call ? dest.globalId : fromSpec;
        p.next = dest;
        return dest.mounted ? YIELD : NEST;
    }

    /** The guards: answers the receiver if this IPC may take the fast path, else null. */
    private static Tcb partner(Tcb self, Processor p, long tag, long to, long fromSpec, long timeouts) {
        if ((tag & 0xFFC0L) != 0) return null;                   // typed words or flags
        if ((timeouts & 0xFFFFL) != 0) return null;              // receive timeout must be never
        if (self.space.redirector != ThreadId.NIL) return null;  // redirection takes the slow path
        // A same-space server replies to the local ID its From said (Pistachio converts in the stub).
        Tcb dest = ThreadId.isGlobal(to) ? p.kernel.threads.lookupGlobal(to) : p.kernel.threads.lookup(to, self);
        if (dest == null || dest.state != WAITING_FOREVER || dest.cpu != p || dest.awaitingStartup) return null;
        if (dest.nested != null) return null;                    // a reply to a kernel-generated IPC: its save area keeps the MRs
        long w = dest.partner;
        if (w != self.globalId && w != ThreadId.ANY) return null;
        if (fromSpec != to && (fromSpec != ThreadId.ANY || self.sendHead != null)) return null;
        return dest;
    }

    /** Out of line, one flag word for both: tracing, and eager ready queues (the ablation). */
    private static void extras(Tcb self, Tcb dest, Processor p) {
        if (p.kernel.tracing) traceCommit(self, dest, p);
        if (!p.kernel.lazyScheduling) p.scheduler.eagerSwitch(self, dest);
    }

    /** The same trace records the slow path writes for this rendezvous. */
    private static void traceCommit(Tcb self, Tcb dest, Processor p) {
        p.kernel.trace(Trace.DELIVER, self, dest);
        p.kernel.trace(Trace.BLOCK_RECEIVE, self, dest);
        p.kernel.trace.fastPathHits++;
    }
}
