package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.ErrorCode;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.kernel.thread.Tcb;
import ristretto.user.L4;
import ristretto.user.Threads;
import ristretto.system.Harness;

/**
 * ThreadControl on an existing thread (§11.1 step 6): a new version, and migration of an
 * activated thread to another space.
 * <ul>
 *   <li>A new version (same slot, dest with another version) keeps the thread running under
 *       its new ID; whoever named the old ID is told at once that it no longer exists: senders
 *       queued on it fail in the send phase, threads in a closed receive from it (callers
 *       waiting for its reply included) in the receive phase, with "non-existing partner" —
 *       at the change, not when their timeouts expire.</li>
 *   <li>An activated thread moved to another initialised space (SpaceSpecifier: a thread of
 *       that space; UtcbLocation: valid there) keeps its global ID, gets the local ID of its
 *       new UTCB location, and does IPC from there. Moving it into an uninitialised space is
 *       "invalid space", to a location not valid there "invalid UTCB area"; neither changes
 *       anything.</li>
 * </ul>
 * Deleting a thread that does not exist succeeds (step 5): {@code ThreadControlTest}.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class VersionAndMigrationTest {
    final Map<String, Object> rec = new LinkedHashMap<>();

    Outcome outcome(String k) {
        assertNotNull(rec.get(k), () -> k + " not recorded: " + rec);
        return (Outcome) rec.get(k);
    }

    long micros(String k) {
        assertNotNull(rec.get(k), () -> k + " not recorded: " + rec);
        return (Long) rec.get(k);
    }

    /** Records the outcome of the IPC just made and the clock when it returned. */
    void record(String k, L4 l4) {
        rec.put(k, Outcome.of(l4));
        rec.put(k + " at", l4.systemClock());
    }

    // ---------------------------------------------------------------------------- new version

    @Test
    void aNewVersionWakesItsQueuedSendersAndClosedReceiversWithNonExistingPartnerAtOnce() {
        long[] id = new long[7];          // W, caller C (fast path), senders S1 local S2 remote, receivers R1 R2, W v2
        long sent = MsgTag.make(0x31, 1, 0);
        int timeout = Timeout.period(5000);
        Harness h = run(root -> {
            id[0] = root.local(l4 -> {
                l4.waitAny();                                        // C's call: never answered
                rec.put("W got", Outcome.of(l4));
                l4.receive(l4.pager());                              // busy for everyone else
                rec.put("W after", Outcome.of(l4));
                rec.put("W is now", l4.myGlobalId());
            });
            id[1] = root.remote(l4 -> { l4.loadMsg(0x30); l4.call(id[0], Timeout.NEVER, timeout); record("C", l4); });
            root.sleep(10);                                          // W holds C's call and waits for the root
            id[2] = root.local(l4 -> { l4.loadMsg(0x31, 1); l4.send(id[0], timeout); record("S1", l4); });
            id[3] = root.remote(l4 -> { l4.loadMsg(0x31, 1); l4.send(id[0]); record("S2", l4); });
            id[4] = root.remote(l4 -> { l4.receive(id[0], timeout); record("R1", l4); });
            id[5] = root.local(l4 -> { l4.receive(id[0]); record("R2", l4); });
            root.sleep(100);
            for (int i = 1; i <= 5; i++) rec.put("state " + i, Schedule.resultName(root.state(id[i])));
            id[6] = ThreadId.global(ThreadId.number(id[0]), 2);
            rec.put("changed at", root.l4.systemClock());
            rec.put("new version", root.l4.threadControl(id[6], root.l4.myGlobalId(), ThreadId.NIL, ThreadId.NIL, -1));
            root.sleep(100);
            root.l4.loadMsg(0x32);
            root.l4.send(id[0], Timeout.ZERO);
            rec.put("send to old", Outcome.of(root.l4));
            root.l4.loadMsg(0x33);
            root.l4.send(id[6]);
            rec.put("send to new", Outcome.of(root.l4));
        });
        assertEquals(true, rec.get("new version"));
        assertEquals(0x30, outcome("W got").label());
        assertEquals("waiting", rec.get("state 1"), "C waits for W's reply");
        for (int i = 2; i <= 3; i++) assertEquals("pending send", rec.get("state " + i), "S" + (i - 1) + " is queued on W");
        for (int i = 4; i <= 5; i++) assertEquals("waiting", rec.get("state " + i), "R" + (i - 3) + " waits for W");

        long changed = micros("changed at");
        for (String k : new String[] {"C", "S1", "S2", "R1", "R2"}) {
            Outcome o = outcome(k);
            boolean send = k.startsWith("S");
            assertEquals(err(send ? SEND : RECV, IpcError.NO_PARTNER), o.errorCode(), () -> k + ": " + o);
            assertEquals(send ? sent | MsgTag.FLAG_ERROR : MsgTag.ERROR_TAG, o.tag(), () -> k + ": MR0 of " + o);
            assertEquals(ThreadId.NIL, o.from(), k);
            long woke = micros(k + " at");
            assertTrue(woke >= changed && woke < changed + 10, k + " woke at " + woke + " µs, the version changed at " + changed
                    + " µs (timeouts were 5000 µs or never)");
        }
        assertEquals(err(SEND, IpcError.NO_PARTNER), outcome("send to old").errorCode());
        assertTrue(outcome("send to new").ok());
        assertEquals(0x33, outcome("W after").label(), "W itself kept waiting, under its new ID");
        assertEquals(id[6], rec.get("W is now"));
        assertEquals("free", h.kernel().stateOf(ThreadId.global(ThreadId.number(id[0]), 1)));
    }

    // ------------------------------------------------------------------------------- migration

    @Test
    void anActivatedThreadMovedToAnotherSpaceKeepsItsGlobalIdGetsANewLocalIdAndServesFromThere() {
        long[] id = new long[3];          // T (root's space, then X), Y (X), Z (inactive, uninitialised space)
        long newLocation = Threads.NEW_SPACE_UTCB_BASE + 5L * Utcb.SIZE;
        long newLocal = newLocation + Utcb.MR0_OFFSET;
        int[] served = {0};
        Harness h = run(root -> {
            L4 r = root.l4;
            long me = r.myGlobalId();
            id[0] = root.local(l4 -> {
                while (true) {
                    long tag = l4.waitAny();
                    if (MsgTag.isError(tag)) { record("T error", l4); continue; }
                    rec.put("T from " + MsgTag.label(tag), l4.from());
                    long label = MsgTag.label(tag);
                    l4.loadMsg(label + 1, l4.myLocalId(), l4.myGlobalId());
                    l4.reply(l4.from());
                    served[0]++;
                    if (label == 0xE0F) return;
                }
            });
            id[1] = root.remote(l4 -> {
                l4.receive(l4.pager());                             // the root says when T is here
                rec.put("Y sees T's local ID", l4.localIdOf(id[0]));
                rec.put("Y sees the global ID of it", l4.globalIdOf(newLocal));
                l4.loadMsg(0x40);
                l4.call(newLocal);
                rec.put("Y call", Outcome.of(l4));
                rec.put("Y call words", words(l4, 2));
            });
            long oldLocal = r.localIdOf(id[0]);
            rec.put("T old local", oldLocal);
            r.loadMsg(0x10);
            r.call(id[0]);
            rec.put("call before", Outcome.of(r));
            rec.put("call before words", words(r, 2));

            // Failures change nothing.
            id[2] = ThreadId.global(ThreadId.number(id[1]) + 1, 1);
            rec.put("create Z", r.threadControl(id[2], id[2], me, ThreadId.NIL, -1));
            rec.put("into an uninitialised space", outcome(r, r.threadControl(id[0], id[2], ThreadId.NIL, ThreadId.NIL, newLocation)));
            rec.put("misaligned", outcome(r, r.threadControl(id[0], id[1], ThreadId.NIL, ThreadId.NIL, newLocation + 8)));
            rec.put("outside the area", outcome(r, r.threadControl(id[0], id[1], ThreadId.NIL, ThreadId.NIL,
                    Threads.NEW_SPACE_UTCB_BASE + (1L << Threads.NEW_SPACE_UTCB_LOG2))));
            rec.put("Y's own location", outcome(r, r.threadControl(id[0], id[1], ThreadId.NIL, ThreadId.NIL, Threads.NEW_SPACE_UTCB_BASE)));
            rec.put("T local after failures", r.localIdOf(id[0]));
            r.loadMsg(0x20);
            r.call(oldLocal);
            rec.put("call after failures", Outcome.of(r));
            rec.put("call after failures words", words(r, 2));

            // The move, while T waits for its next call.
            root.sleep(10);
            rec.put("T state before", Schedule.resultName(root.state(id[0])));
            rec.put("move", outcome(r, r.threadControl(id[0], id[1], ThreadId.NIL, ThreadId.NIL, newLocation)));
            rec.put("T local seen from the root", r.localIdOf(id[0]));
            rec.put("T state", Schedule.resultName(root.state(id[0])));
            r.loadMsg(0x30);
            r.call(id[0]);
            rec.put("call after move", Outcome.of(r));
            rec.put("call after move words", words(r, 2));
            r.loadMsg(0x1);
            r.send(id[1]);                                           // Y: your turn
            root.sleep(100);
            r.loadMsg(0xE0F);
            r.call(id[0]);
            rec.put("end", Outcome.of(r));
            rec.put("end words", words(r, 2));
        });
        long t = id[0], y = id[1], oldLocal = (Long) rec.get("T old local");
        long rootLocal = ROOT_UTCB_BASE + Utcb.MR0_OFFSET;
        assertEquals(true, rec.get("create Z"));
        // Before: a thread of the root's space, named by its local ID there.
        assertEquals(ROOT_UTCB_BASE + Utcb.SIZE + Utcb.MR0_OFFSET, oldLocal);
        assertReply("call before", 0x11, oldLocal, oldLocal, t);
        assertEquals(rootLocal, rec.get("T from 16"));
        // Failed moves.
        assertEquals("invalid space", rec.get("into an uninitialised space"));
        assertEquals("invalid UTCB area", rec.get("misaligned"));
        assertEquals("invalid UTCB area", rec.get("outside the area"));
        assertEquals("invalid UTCB area", rec.get("Y's own location"));
        assertEquals(oldLocal, rec.get("T local after failures"));
        assertReply("call after failures", 0x21, oldLocal, oldLocal, t);
        // The move: T's receive was aborted; it kept its global ID and got the new location's local ID.
        assertEquals("waiting", rec.get("T state before"));
        assertEquals("ok", rec.get("move"));
        assertEquals(err(RECV, IpcError.ABORTED), outcome("T error").errorCode());
        assertEquals(ThreadId.NIL, rec.get("T local seen from the root"), "T is in another space now");
        assertEquals("running", rec.get("T state"), "woken by the abort");
        assertReply("call after move", 0x31, t, newLocal, t);
        assertEquals(me(h), rec.get("T from 48"), "T names the root by its global ID now");
        assertEquals(newLocal, rec.get("Y sees T's local ID"));
        assertEquals(t, rec.get("Y sees the global ID of it"));
        Outcome yCall = outcome("Y call");
        assertTrue(yCall.ok(), yCall::toString);
        assertEquals(0x41, yCall.label());
        assertEquals(newLocal, yCall.from(), "Y and T share a space: local IDs");
        assertArrayEquals(new long[] {newLocal, t}, (long[]) rec.get("Y call words"));
        assertEquals(Threads.NEW_SPACE_UTCB_BASE + Utcb.MR0_OFFSET, rec.get("T from 64"), "T sees Y by its local ID");
        assertReply("end", 0xE10, t, newLocal, t);
        assertEquals(5, served[0]);

        Kernel k = h.kernel();
        Tcb tt = k.threads.lookupGlobal(t), yy = k.threads.lookupGlobal(y);
        assertSame(yy.space, tt.space);
        assertSame(tt, tt.space.utcbOwner(newLocation));
        assertNull(k.threads.lookupGlobal(k.rootTaskId()).space.utcbOwner(oldLocal - Utcb.MR0_OFFSET), "the old location is free");
        assertEquals(2, yy.space.threads);
    }

    @Test
    void aThreadMovedWhilePreemptedInUserModeFindsItsUtcbAtItsNewLocation() {
        long[] id = new long[2];          // T (root's space, then X), Y (X)
        long newLocation = Threads.NEW_SPACE_UTCB_BASE + 3L * Utcb.SIZE;
        Harness h = run(root -> {
            id[0] = root.local(l4 -> {
                while (l4.systemClock() < 1000) { }                 // computing when it is moved
                rec.put("T local", l4.myLocalId());
                l4.loadMsg(0x50, 1, 2, 3);
                l4.call(l4.pager());
                rec.put("T call", Outcome.of(l4));
                rec.put("T call words", words(l4, 2));
            });
            id[1] = root.remote(l4 -> l4.receive(l4.pager(), Timeout.period(5000)));
            root.sleep(100);
            rec.put("T state", Schedule.resultName(root.state(id[0])));
            rec.put("move", Scenario.outcome(root.l4, root.l4.threadControl(id[0], id[1], ThreadId.NIL, ThreadId.NIL, newLocation)));
            root.l4.receive(id[0]);
            rec.put("root got", Outcome.of(root.l4));
            rec.put("root got words", words(root.l4, 3));
            root.l4.loadMsg(0x51, 7, 8);
            root.l4.reply(id[0]);
        });
        assertEquals("running", rec.get("T state"));
        assertEquals("ok", rec.get("move"));
        assertEquals(newLocation + Utcb.MR0_OFFSET, rec.get("T local"));
        Outcome got = outcome("root got");
        assertTrue(got.ok(), got::toString);
        assertEquals(0x50, got.label());
        assertEquals(id[0], got.from(), "global: T is in another space now");
        assertArrayEquals(new long[] {1, 2, 3}, (long[]) rec.get("root got words"), "T wrote its message into its new UTCB");
        Outcome reply = outcome("T call");
        assertTrue(reply.ok(), reply::toString);
        assertEquals(0x51, reply.label());
        assertArrayEquals(new long[] {7, 8}, (long[]) rec.get("T call words"), "and reads its reply there");
        assertSame(h.kernel().threads.lookupGlobal(id[1]).space, h.kernel().threads.lookupGlobal(id[0]).space);
    }

    private static long me(Harness h) { return h.kernel().rootTaskId(); }

    /** A reply of T with {@code label} and From {@code from}, carrying T's local ID as T sees it and its global ID. */
    private void assertReply(String k, long label, long from, long serverLocal, long serverGlobal) {
        Outcome o = outcome(k);
        assertTrue(o.ok(), () -> k + ": " + o);
        assertEquals(label, o.label(), k);
        assertEquals(from, o.from(), k);
        assertArrayEquals(new long[] {serverLocal, serverGlobal}, (long[]) rec.get(k + " words"), k);
    }

    private static String outcome(L4 l4, boolean ok) { return Scenario.outcome(l4, ok); }
}
