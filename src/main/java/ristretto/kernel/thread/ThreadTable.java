package ristretto.kernel.thread;

import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;

/**
 * The thread table: one slot per thread number, holding the TCB of the thread that lives there
 * (or null). Resolves global IDs (stale versions fail) and local IDs (by the UTCB location the
 * kernel recorded for the thread, never by a word the user can write).
 */
public final class ThreadTable {
    private final Tcb[] tcbs;
    private int live;

    public ThreadTable(int capacity) { this.tcbs = new Tcb[capacity]; }

    public int capacity() { return tcbs.length; }

    public int live() { return live; }

    /** The TCB in slot {@code no}, or null (also for numbers out of range). */
    public Tcb slot(int no) { return no >= 0 && no < tcbs.length ? tcbs[no] : null; }

    public void install(Tcb t) {
        if (tcbs[t.threadNo] == null) live++;
        tcbs[t.threadNo] = t;
    }

    public void free(Tcb t) {
        if (tcbs[t.threadNo] == t) { tcbs[t.threadNo] = null; live--; }
    }

    /** The thread with exactly this global ID (stale versions fail), or null. */
    public Tcb lookupGlobal(long id) {
        long no = id >>> 32;
        if (no >= tcbs.length) return null;
        Tcb t = tcbs[(int) no];
        return t != null && t.globalId == id && t.space != null ? t : null;
    }

    /**
     * Resolves a global ID, or a local ID in {@code viewer}'s space. A same-space server replies
     * to the local ID its From said on every round trip, so each thread remembers the last local
     * ID it resolved: the entry is valid while that thread lives in the viewer's space, because
     * live threads of one space never share a UTCB location.
     */
    public Tcb lookup(long id, Tcb viewer) {
        if (ThreadId.isGlobal(id)) return id == ThreadId.ANY ? null : lookupGlobal(id);
        Tcb c = viewer.localCache;
        if (c != null && c.localId == id && c.space == viewer.space && c.activated()) return c;
        return lookupLocal(id, viewer);
    }

    /** A local ID names the activated thread whose UTCB the viewer's space has at that location. */
    private Tcb lookupLocal(long id, Tcb viewer) {
        if (id == ThreadId.NIL || id == ThreadId.ANY_LOCAL) return null;
        Tcb t = viewer.space.utcbOwner(id - Utcb.MR0_OFFSET);
        if (t == null || !t.activated()) return null;
        viewer.localCache = t;
        return t;
    }

    /** Every live TCB, in slot order (for inspection; O(capacity)). */
    public void forEach(java.util.function.Consumer<Tcb> action) {
        for (Tcb t : tcbs) if (t != null) action.accept(t);
    }
}
