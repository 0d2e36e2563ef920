package ristretto.kernel.thread;

import ristretto.abi.IpcError;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.ipc.Unwind;
import ristretto.kernel.ipc.Waiters;
import ristretto.kernel.mem.Space;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.syscall.TrapGate;
import ristretto.kernel.time.Timeouts;

/**
 * A thread's life (§11.1): creation in a slot, activation (UTCB, start-up message), a new
 * version, migration to another space, and deletion. The checks are ThreadControl's; these
 * only perform, and cannot fail except for want of kernel memory, which they report first.
 */
public final class Lifecycle {
    private Lifecycle() {}

    /** A fresh TCB in the slot of {@code id}, inactive, in {@code space}. */
    public static Tcb create(Kernel k, long id, Space space, long scheduler) {
        Tcb t = new Tcb(k, ThreadId.number(id));
        t.gate = new TrapGate(t);
        t.globalId = id;
        t.space = space;
        t.scheduler = scheduler;
        t.state = ThreadState.ABORTED;
        t.cpu = k.processors[0];
        space.threads++;
        k.threads.install(t);
        return t;
    }

    /**
     * Activation (§11.1): back the UTCB with a kernel frame, record that the thread owns that
     * location, initialise its TCRs and fake a closed receive from the pager (the start-up
     * message). Answers false, changing nothing, when kernel memory is exhausted.
     */
    public static boolean activate(Tcb t, long pager) {
        Kernel k = t.kernel;
        Space s = t.space;
        long pa = k.spaces.backUtcb(s, t.utcbLocation);
        if (pa < 0) return false;
        t.utcbPhys = pa;
        t.utcb = k.memory.slice(pa, Utcb.SIZE);
        t.utcb.fill((byte) 0);
        t.localId = t.utcbLocation + Utcb.MR0_OFFSET;
        s.setUtcbOwner(t.utcbLocation, t);
        t.setWord(Utcb.MY_GLOBAL_ID, t.globalId);
        t.setWord(Utcb.PAGER, pager);
        t.setWord(Utcb.EXCEPTION_HANDLER, ThreadId.NIL);
        t.setWord(Utcb.PROCESSOR_NO, t.cpu.id);
        t.awaitingStartup = true;
        t.partner = pager;
        t.state = ThreadState.WAITING_FOREVER;
        k.trace(Trace.ACTIVATE, t, null);
        return true;
    }

    /**
     * A new version of the thread (§11.1 step 6): it keeps running, but IPC aimed at its old ID
     * ends as if it had been deleted.
     */
    public static void newVersion(Tcb t, long id) {
        long old = t.globalId;
        t.globalId = id;
        if (t.activated()) t.setWord(Utcb.MY_GLOBAL_ID, id);
        Unwind.partnerGone(t, old);
    }

    /**
     * Moves a thread to another space (§11.1 step 6). An activated thread takes a UTCB at
     * {@code location} there (the caller checked it is valid and backed or backable); its IPC is
     * aborted first, since its partners named it by its old local ID. Answers false, changing
     * nothing, if kernel memory is exhausted.
     */
    public static boolean migrate(Tcb t, Space target, long location) {
        Kernel k = t.kernel;
        Space old = t.space;
        if (t.activated()) {
            long pa = k.spaces.backUtcb(target, location);
            if (pa < 0) return false;
            if (!t.awaitingStartup && Unwind.unwind(t, IpcError.ABORTED)) t.cpu.scheduler.wake(t);
            java.lang.foreign.MemorySegment moved = k.memory.slice(pa, Utcb.SIZE);
            moved.copyFrom(t.utcb);
            old.clearUtcbOwner(t.utcbLocation, t);
            t.utcbLocation = location;
            t.utcbPhys = pa;
            t.utcb = moved;
            t.localId = location + Utcb.MR0_OFFSET;
            target.setUtcbOwner(location, t);
            t.localCache = null;
        } else {
            t.utcbLocation = location;
        }
        old.threads--;
        target.threads++;
        t.space = target;
        if (old.threads == 0) k.spaces.destroy(old);
        t.cpu.followSpace(t);
        return true;
    }

    /**
     * Deletes a thread (§11.1 step 5): its IPC is aborted, its queued senders and the threads
     * waiting for it specifically wake with "non-existing partner", and its space goes with its
     * last thread. Costs O(its own queues), never a scan of the thread table.
     */
    public static void delete(Tcb t) {
        Kernel k = t.kernel;
        Processor p = t.cpu;
        Unwind.unwind(t, IpcError.ABORTED);
        Timeouts.cancel(t);
        p.scheduler.forget(t);
        Unwind.partnerGone(t, t.globalId);
        Waiters.leave(t);
        k.trace(Trace.DELETE, t, null);
        Space s = t.space;
        if (t.activated()) {
            t.setWord(Utcb.MY_GLOBAL_ID, 0);
            s.clearUtcbOwner(t.utcbLocation, t);
        }
        t.cont = null;
        t.state = ThreadState.ABORTED;
        t.globalId = 0;
        t.space = null;
        k.threads.free(t);
        if (--s.threads == 0) k.spaces.destroy(s);
    }
}
