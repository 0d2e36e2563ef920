package ristretto.user;

import ristretto.abi.Fpage;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;

/**
 * Creates and deletes threads the way l4test and pingpong do (§16.1): in the caller's space
 * (one ThreadControl with pager and UTCB location), or in a fresh space (inactive create,
 * SpaceControl, activate), then starts them with the standard start-up message (IP, SP) sent
 * by the caller, which is their pager. Thread numbers follow the caller's: (mine + k, version).
 * Needs a privileged caller (the root task's space).
 */
public final class Threads {
    /** Layout of every space this class creates: KIP and UTCB areas as the root task has them. */
    public static final long NEW_SPACE_UTCB_BASE = 0x10_0000_0000L;
    public static final int NEW_SPACE_UTCB_LOG2 = 20;           // room for 1024 UTCBs

    private final L4 l4;
    private final long me;
    private int nextNo;
    /** The next UTCB slot of the caller's space (slot 0 is the caller's): from the offset on, so instances with apart offsets never collide. */
    private int nextSlot;
    private final long myUtcbBase;
    private final long kipBase;

    public Threads(L4 l4) {
        this(l4, 1);
    }

    /** @param firstOffset the first thread number used is the caller's plus this. */
    public Threads(L4 l4, int firstOffset) {
        this.l4 = l4;
        this.me = l4.myGlobalId();
        this.nextNo = ThreadId.number(me) + firstOffset;
        this.nextSlot = firstOffset;
        this.myUtcbBase = l4.myLocalId() - Utcb.MR0_OFFSET;
        this.kipBase = l4.kernelInterface();
    }

    public long nextId(int version) { return ThreadId.global(nextNo++, version); }

    /** Creates a thread in the caller's space, activates it and starts it at ip. */
    public long inMySpace(long ip, long sp) {
        long t = nextId(1);
        if (!l4.threadControl(t, me, me, me, myUtcbBase + (long) Utcb.SIZE * nextSlot++))
            throw new IllegalStateException("ThreadControl failed: error " + l4.errorCode());
        l4.startThread(t, ip, sp);
        return t;
    }

    /** Creates a thread in a new space (inactive, SpaceControl, activate) and starts it. */
    public long inNewSpace(long ip, long sp) {
        long t = nextId(1);
        if (!l4.threadControl(t, t, me, ThreadId.NIL, -1))
            throw new IllegalStateException("ThreadControl (create) failed: error " + l4.errorCode());
        if (!l4.spaceControl(t, 0, Fpage.log2(kipBase, 12), Fpage.log2(NEW_SPACE_UTCB_BASE, NEW_SPACE_UTCB_LOG2), ThreadId.NIL))
            throw new IllegalStateException("SpaceControl failed: error " + l4.errorCode());
        if (!l4.threadControl(t, t, me, me, NEW_SPACE_UTCB_BASE))
            throw new IllegalStateException("ThreadControl (activate) failed: error " + l4.errorCode());
        l4.startThread(t, ip, sp);
        return t;
    }

    /** Creates a further thread in the space of {@code spaceOf} (made by {@link #inNewSpace}). */
    public long inSpaceOf(long spaceOf, int slot, long ip, long sp) {
        long t = nextId(1);
        if (!l4.threadControl(t, spaceOf, me, me, NEW_SPACE_UTCB_BASE + (long) Utcb.SIZE * slot))
            throw new IllegalStateException("ThreadControl failed: error " + l4.errorCode());
        l4.startThread(t, ip, sp);
        return t;
    }

    /** Deletes a thread (ThreadControl with nil space). */
    public boolean kill(long t) { return l4.threadControl(t, ThreadId.NIL, ThreadId.NIL, ThreadId.NIL, -1); }
}
