package ristretto.kernel.ipc;

import static ristretto.kernel.thread.ThreadState.LOCKED_RUNNING;
import static ristretto.kernel.thread.ThreadState.LOCKED_WAITING;

import ristretto.abi.Fpage;
import ristretto.abi.StringItem;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.mem.MapGrant;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.Xfer;
import ristretto.machine.CostModel;
import ristretto.machine.Cpu;

/**
 * The typed items of a message (§4, §9.4), performed after its words have reached the receiver,
 * in the order they come: map and grant items (two words each; {@link MapGrant}) and string items
 * ({@link StringTransfer}). The receiver's acceptor (BR0) is read once: its window (bits 4 and
 * up) is where mappings may land, its {@code s} bit whether strings are accepted (BR1 and up
 * hold the buffers). The first string locks both partners in an {@link Xfer}, since copying it
 * can block. A message overflow ends the transfer for both sides: an item cut off by the end of
 * the message, an undefined type, a map or grant item with no window, a string item the
 * receiver does not accept or has no buffer left for, a buffer too short. Items before the one
 * that failed stay performed (no rollback, as in X.2).
 */
final class TypedItems {
    private TypedItems() {}

    /**
     * Performs MR u+1 .. u+t of {@code self} into {@code dest}; answers true when all are done.
     * False: the transfer failed, and both sides' results (error, offset) are written or — for a
     * side inside a page-fault IPC — due when it returns.
     */
    static boolean transfer(Tcb self, Tcb dest, long tag, int u, int t) {
        Kernel k = self.kernel;
        long br0 = dest.awaitingStartup ? 0 : dest.word(Utcb.br(0));
        long window = br0 & ~0xFL;
        boolean strings = (br0 & StringItem.ACCEPT_STRINGS) != 0;
        int end = u + t, buffer = 1;
        Xfer x = null;
        boolean ok = true;
        for (int i = u + 1; i <= end && ok; ) {
            long w0 = self.mr(i);
            if (StringItem.isString(w0)) {
                if (!strings || buffer == 0) { ok = false; break; }
                if (x == null) x = lock(self, dest, tag);
                int next = StringTransfer.copy(self, x, i, end, buffer);
                if (next < 0) { ok = false; break; }
                i = next >>> 8;
                buffer = next & 0xFF;
                continue;
            }
            int type = MapGrant.type(w0);
            if (i + 1 > end || (type != MapGrant.TYPE_MAP && type != MapGrant.TYPE_GRANT) || window == Fpage.NIL) { ok = false; break; }
            MapGrant.item(k.spaces, k.mappings, self.space, dest.space, w0 & ~0x3FFL, self.mr(i + 1), window,
                    type == MapGrant.TYPE_GRANT);
            i += 2;
        }
        if (x == null) return ok || Transfer.overflow(self, dest, tag);
        if (!ok) StringTransfer.overflow(x);
        return unlock(self, x);
    }

    /** The first string: both partners are locked for the copy, which may block. */
    private static Xfer lock(Tcb self, Tcb dest, long tag) {
        Xfer x = new Xfer(self, dest, tag);
        self.xfer = x;
        dest.xfer = x;
        self.state = LOCKED_RUNNING;
        self.partnerTcb = dest;
        dest.state = LOCKED_WAITING;
        dest.partnerTcb = self;
        dest.partner = self.globalId;
        Cpu cpu = self.cpu.machineCpu;
        CostModel costs = cpu.costs();
        if (costs != null) costs.begin(cpu.tlbMisses());
        return x;
    }

    /**
     * The strings are done or the transfer ended: the sender leaves it (with its results, if it
     * ended) and, on success, the receiver is unlocked for the delivery. Answers whether it succeeded.
     */
    private static boolean unlock(Tcb self, Xfer x) {
        Cpu cpu = self.cpu.machineCpu;
        CostModel costs = cpu.costs();
        if (costs != null) costs.end(cpu.tlbMisses());
        if (x.ended) {
            if (self.xfer == x) StringTransfer.leave(self, x);
            return false;
        }
        ristretto.kernel.time.Timeouts.cancelXfer(self);
        self.xfer = null;
        x.receiver.xfer = null;
        x.ended = true;                 // (successfully: no one may end it again)
        return true;
    }
}
