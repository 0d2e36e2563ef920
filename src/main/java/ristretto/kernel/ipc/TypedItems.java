package ristretto.kernel.ipc;

import ristretto.abi.Fpage;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.mem.MapGrant;
import ristretto.kernel.thread.Tcb;

/**
 * The typed items of a message (§4, §9.4), performed after its words have reached the receiver:
 * map and grant items, two words each, in the order they come. The receiver's acceptor (BR0) is
 * read once; its window (bits 4 and up) is where mappings may land. String items arrive with the
 * long-IPC issue; until then they, an item cut off by the end of the message, an undefined type,
 * and a map or grant item with no window (a nil acceptor) end the transfer with a message
 * overflow. Items before the one that failed stay performed (no rollback, as in X.2).
 */
final class TypedItems {
    private TypedItems() {}

    /** Performs MR u+1 .. u+t of {@code self} into {@code dest}; answers false on a message overflow. */
    static boolean transfer(Tcb self, Tcb dest, int u, int t) {
        Kernel k = self.kernel;
        long window = dest.word(Utcb.br(0)) & ~0xFL;
        int end = u + t;
        for (int i = u + 1; i <= end; i += 2) {
            long w0 = self.mr(i);
            int type = MapGrant.type(w0);
            if (i + 1 > end || (type != MapGrant.TYPE_MAP && type != MapGrant.TYPE_GRANT) || window == Fpage.NIL) return false;
            MapGrant.item(k.spaces, k.mappings, self.space, dest.space, w0 & ~0x3FFL, self.mr(i + 1), window,
                    type == MapGrant.TYPE_GRANT);
        }
        return true;
    }
}
