package ristretto.kernel;

import ristretto.abi.ErrorCode;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;

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
        // Interrupt threads are associated in the interrupts issue; kernel threads are never usable.
        if (no < k.userBase || no >= k.maxThreads) return fail(self, ErrorCode.INVALID_THREAD);
        Tcb t = k.tcbs[(int) no];

        if (spaceSpec == ThreadId.NIL) {                               // ---- delete
            if (t == null || t.globalId != dest) return fail(self, ErrorCode.INVALID_THREAD);
            if (t == self) return fail(self, ErrorCode.INVALID_THREAD);
            k.deleteThread(t);
            return 1;
        }
        Tcb spaceThread = spaceSpec == dest ? t : k.lookup(spaceSpec, self);
        Tcb schedThread = scheduler == ThreadId.NIL ? null : k.lookup(scheduler, self);
        // The pager is a TCR, not validated (a page fault to a dead pager is an IPC error);
        // a local ID is converted to global as the X.2 stubs do.
        if (ThreadId.isLocal(pager) && pager != ThreadId.NIL) {
            Tcb pt = k.lookup(pager, self);
            if (pt == null) return fail(self, ErrorCode.INVALID_THREAD);
            pager = pt.globalId;
        }

        if (t != null) {                                               // ---- modify
            Space target = t.space;
            if (spaceSpec != dest) {
                if (spaceThread == null) return fail(self, ErrorCode.INVALID_SPACE);
                target = spaceThread.space;
            }
            // Migrating an activated thread would move its UTCB; not supported (X.2 allows it).
            if (target != t.space && t.activated()) return fail(self, ErrorCode.INVALID_SPACE);
            if (utcbLocation != NO_UTCB) {
                if (t.activated()) return fail(self, ErrorCode.UTCB_AREA);
                if (target.initialized() && !k.validUtcbLocation(target, utcbLocation, t)) return fail(self, ErrorCode.UTCB_AREA);
            }
            if (scheduler != ThreadId.NIL && schedThread == null) return fail(self, ErrorCode.INVALID_SCHEDULER);
            long location = utcbLocation != NO_UTCB ? utcbLocation : t.utcbLocation;
            boolean activate = pager != ThreadId.NIL && !t.activated();
            if (activate) {
                if (!target.initialized()) return fail(self, ErrorCode.INVALID_SPACE);
                if (!k.validUtcbLocation(target, location, t)) return fail(self, ErrorCode.UTCB_AREA);
                if (k.kernelFrames.freeFrames() == 0 && !utcbPageBacked(k, target, location))
                    return fail(self, ErrorCode.OUT_OF_MEMORY);
            }
            // ---- perform
            if (target != t.space) {
                Space old = t.space;
                old.threads--;
                target.threads++;
                t.space = target;
                if (old.threads == 0) k.destroySpace(old);
            }
            t.utcbLocation = location;
            if (schedThread != null) t.scheduler = schedThread.globalId;
            if (t.globalId != dest) {                                  // a new version
                t.globalId = dest;
                if (t.activated()) t.setWord(Utcb.MY_GLOBAL_ID, dest);
            }
            if (activate) {
                if (!k.activate(t, pager)) return fail(self, ErrorCode.OUT_OF_MEMORY);
            } else if (pager != ThreadId.NIL) t.setWord(Utcb.PAGER, pager);
            return 1;
        }
        // ---- create
        if (schedThread == null) return fail(self, ErrorCode.INVALID_SCHEDULER);   // [P-dev] Pistachio: 2
        if (spaceSpec != dest && spaceThread == null) return fail(self, ErrorCode.INVALID_SPACE);
        Space target = spaceSpec == dest ? null : spaceThread.space;
        if (pager != ThreadId.NIL) {
            if (target == null || !target.initialized()) return fail(self, ErrorCode.INVALID_SPACE);
            if (!k.validUtcbLocation(target, utcbLocation, null)) return fail(self, ErrorCode.UTCB_AREA);
            if (k.kernelFrames.freeFrames() == 0 && !utcbPageBacked(k, target, utcbLocation))
                return fail(self, ErrorCode.OUT_OF_MEMORY);
        } else if (utcbLocation != NO_UTCB && target != null && target.initialized()
                && !k.validUtcbLocation(target, utcbLocation, null)) {
            return fail(self, ErrorCode.UTCB_AREA);
        }
        // ---- perform
        if (target == null) target = k.newSpace();
        Tcb n = k.createThread(dest, target, schedThread.globalId);
        n.utcbLocation = utcbLocation;
        n.prio = 100;
        n.sensitivePrio = 100;
        if (pager != ThreadId.NIL && !k.activate(n, pager)) return fail(self, ErrorCode.OUT_OF_MEMORY);
        return 1;
    }

    private static boolean utcbPageBacked(Kernel k, Space s, long location) {
        return k.utcbWordPhys(s, location, 0) >= 0;
    }

    static long fail(Tcb self, int error) {
        self.setWord(Utcb.ERROR_CODE, error);
        return 0;
    }
}
