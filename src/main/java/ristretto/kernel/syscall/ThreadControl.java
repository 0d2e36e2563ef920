package ristretto.kernel.syscall;

import ristretto.abi.ErrorCode;
import ristretto.abi.ThreadId;
import ristretto.kernel.Kernel;
import ristretto.kernel.mem.Space;
import ristretto.kernel.mem.Spaces;
import ristretto.kernel.thread.Lifecycle;
import ristretto.kernel.thread.Tcb;

/**
 * ThreadControl(dest, SpaceSpecifier, Scheduler, Pager, UtcbLocation) (§11.1): create, modify
 * and delete threads. Privileged. Every argument is validated before anything changes, so a
 * failure leaves no partial update (X.2; Pistachio applies sub-changes sequentially).
 */
final class ThreadControl {
    private ThreadControl() {}

    static final long NO_UTCB = -1L;

    static long invoke(Tcb self, long dest, long spaceSpec, long scheduler, long pager, long utcbLocation) {
        Kernel k = self.kernel;
        // ---- validate
        if (!self.space.privileged) return fail(self, ErrorCode.NO_PRIVILEGE);
        // X.2: dest must be a global ID (Pistachio answers "invalid space" for a local one).
        if (!ThreadId.isGlobal(dest) || dest == ThreadId.ANY) return fail(self, ErrorCode.INVALID_THREAD);
        long no = dest >>> 32;
        if (no < k.systemBase) {                                        // an interrupt thread (§11.1 step 3)
            int error = k.interrupts.control(self, dest, spaceSpec, scheduler, pager, utcbLocation);
            return error == 0 ? 1 : fail(self, error);
        }
        // Kernel threads are never usable.
        if (no < k.userBase || no >= k.threads.capacity()) return fail(self, ErrorCode.INVALID_THREAD);
        Tcb t = k.threads.slot((int) no);

        if (spaceSpec == ThreadId.NIL) {                               // ---- delete
            if (t == self) return fail(self, ErrorCode.INVALID_THREAD);
            // §11.1 step 5: success even if the thread did not exist.
            if (t != null && t.globalId == dest) Lifecycle.delete(t);
            return 1;
        }
        Tcb spaceThread = spaceSpec == dest ? t : k.threads.lookup(spaceSpec, self);
        Tcb schedThread = scheduler == ThreadId.NIL ? null : k.threads.lookup(scheduler, self);
        // The pager is a TCR, not validated (a page fault to a dead pager is an IPC error);
        // a local ID is converted to global as the X.2 stubs do.
        if (ThreadId.isLocal(pager) && pager != ThreadId.NIL) {
            Tcb pt = k.threads.lookup(pager, self);
            if (pt == null) return fail(self, ErrorCode.INVALID_THREAD);
            pager = pt.globalId;
        }

        if (t != null) return modify(self, t, dest, spaceSpec, spaceThread, scheduler != ThreadId.NIL, schedThread, pager, utcbLocation);
        // ---- create
        if (schedThread == null) return fail(self, ErrorCode.INVALID_SCHEDULER);   // [P-dev] Pistachio: 2
        if (spaceSpec != dest && spaceThread == null) return fail(self, ErrorCode.INVALID_SPACE);
        Space target = spaceSpec == dest ? null : spaceThread.space;
        if (pager != ThreadId.NIL) {
            if (target == null || !target.initialized()) return fail(self, ErrorCode.INVALID_SPACE);
            if (!Spaces.validUtcbLocation(target, utcbLocation, null)) return fail(self, ErrorCode.UTCB_AREA);
            if (!frameAvailable(k, target, utcbLocation)) return fail(self, ErrorCode.OUT_OF_MEMORY);
        } else if (utcbLocation != NO_UTCB && target != null && target.initialized()
                && !Spaces.validUtcbLocation(target, utcbLocation, null)) {
            return fail(self, ErrorCode.UTCB_AREA);
        }
        // ---- perform
        if (target == null) target = k.spaces.create();
        Tcb n = Lifecycle.create(k, dest, target, schedThread.globalId);
        n.utcbLocation = utcbLocation;
        n.prio = 100;
        n.sensitivePrio = 100;
        if (pager != ThreadId.NIL) Lifecycle.activate(n, pager);   // a frame is known to be available
        return 1;
    }

    /** §11.1 step 6: the slot holds a thread (possibly of another version); all checks first. */
    private static long modify(Tcb self, Tcb t, long dest, long spaceSpec, Tcb spaceThread, boolean newScheduler,
                               Tcb schedThread, long pager, long utcbLocation) {
        Kernel k = self.kernel;
        // ---- validate
        Space target = t.space;
        if (spaceSpec != dest) {
            if (spaceThread == null) return fail(self, ErrorCode.INVALID_SPACE);
            target = spaceThread.space;
        }
        boolean migrate = target != t.space;
        if (migrate && t == self) return fail(self, ErrorCode.INVALID_SPACE);   // a thread cannot move itself
        if (utcbLocation != NO_UTCB && t.activated() && !migrate) return fail(self, ErrorCode.UTCB_AREA);
        long location = utcbLocation != NO_UTCB ? utcbLocation : t.utcbLocation;
        if (utcbLocation != NO_UTCB && target.initialized() && !Spaces.validUtcbLocation(target, location, t))
            return fail(self, ErrorCode.UTCB_AREA);
        if (migrate && t.activated()) {
            // An activated thread moves with its UTCB: the target must be initialised and have
            // room at the location (§11.1 step 6).
            if (!target.initialized()) return fail(self, ErrorCode.INVALID_SPACE);
            if (!Spaces.validUtcbLocation(target, location, t)) return fail(self, ErrorCode.UTCB_AREA);
            if (!frameAvailable(k, target, location)) return fail(self, ErrorCode.OUT_OF_MEMORY);
        }
        if (newScheduler && schedThread == null) return fail(self, ErrorCode.INVALID_SCHEDULER);
        boolean activate = pager != ThreadId.NIL && !t.activated();
        if (activate) {
            if (!target.initialized()) return fail(self, ErrorCode.INVALID_SPACE);
            if (!Spaces.validUtcbLocation(target, location, t)) return fail(self, ErrorCode.UTCB_AREA);
            if (!frameAvailable(k, target, location)) return fail(self, ErrorCode.OUT_OF_MEMORY);
        }
        // ---- perform
        if (migrate) Lifecycle.migrate(t, target, location);           // a frame is known to be available
        else t.utcbLocation = location;
        if (schedThread != null) t.scheduler = schedThread.globalId;
        if (t.globalId != dest) Lifecycle.newVersion(t, dest);
        if (activate) Lifecycle.activate(t, pager);
        else if (pager != ThreadId.NIL) t.setWord(ristretto.abi.Utcb.PAGER, pager);
        return 1;
    }

    private static boolean frameAvailable(Kernel k, Space s, long location) {
        return k.kernelFrames.freeFrames() > 0 || Spaces.utcbPageBacked(s, location);
    }

    static long fail(Tcb self, int error) { return Errors.fail(self, error, 0); }
}
