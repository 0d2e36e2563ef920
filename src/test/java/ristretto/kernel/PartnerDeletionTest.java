package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.user.Threads;
import ristretto.system.Harness;

/**
 * Deleting an IPC partner (ThreadControl with a nil space, from the root) at every IPC state:
 * threads queued on the deleted thread wake with a send-phase "non-existing partner", threads
 * waiting for it specifically with a receive-phase one; a deleted thread that was itself queued
 * or waiting disappears cleanly (its partner gets no stale message, IPC to its ID fails); and a
 * thread locked in a handshake takes its partner's IPC down with "aborted". After every scenario
 * the send queues are consistent ({@link IpcInspector}).
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class PartnerDeletionTest {
    final Map<String, Object> rec = new LinkedHashMap<>();

    Outcome outcome(String k) {
        assertNotNull(rec.get(k), () -> k + " not recorded: " + rec);
        return (Outcome) rec.get(k);
    }

    void assertError(String k, int phase, int error, long mr0) {
        Outcome o = outcome(k);
        assertEquals(err(phase, error), o.errorCode(), () -> k + ": " + o);
        assertEquals(mr0, o.tag(), () -> k + ": MR0 of " + o);
        assertEquals(ThreadId.NIL, o.from(), k);
    }

    static void assertConsistent(Harness h) {
        List<String> v = IpcInspector.violations(h.kernel());
        assertTrue(v.isEmpty(), v::toString);
    }

    @Test
    void sendersQueuedOnADeletedReceiverWakeWithSendPhaseNonExistingPartner() {
        long[] id = new long[4];
        long tag = MsgTag.make(0x31, 1, 0);
        Harness h = run(root -> {
            id[0] = root.local(l4 -> l4.sleepMicros(1_000_000));   // busy: never receives
            id[1] = root.local(l4 -> { l4.loadMsg(0x31, 1); l4.send(id[0]); rec.put("send", Outcome.of(l4)); });
            id[2] = root.local(l4 -> { l4.loadMsg(0x31, 1); l4.call(id[0]); rec.put("call", Outcome.of(l4)); });
            id[3] = root.local(l4 -> {
                l4.loadMsg(0x31, 1);
                l4.send(id[0], Timeout.period(5000));
                rec.put("timed send", Outcome.of(l4));
                rec.put("woke at", l4.systemClock());
                l4.receive(rootId[0]);                    // no timeout: the old send deadline must not end it
                rec.put("after", Outcome.of(l4));
            });
            rootId[0] = root.l4.myGlobalId();
            root.sleep(100);
            rec.put("queue before", IpcInspector.sendQueue(root.kernel(), id[0]));
            rec.put("killed", root.kill(id[0]));
            rec.put("killed at", root.l4.systemClock());
            root.l4.loadMsg(0x1);
            root.l4.send(id[0], Timeout.ZERO);
            rec.put("later send", Outcome.of(root.l4));
            root.sleep(10_000);
            root.l4.loadMsg(0x77);
            root.l4.send(id[3], Timeout.ZERO);
        });
        assertEquals(true, rec.get("killed"));
        assertEquals(List.of(id[1], id[2], id[3]), rec.get("queue before"));
        assertError("send", SEND, IpcError.NO_PARTNER, tag | MsgTag.FLAG_ERROR);
        assertError("call", SEND, IpcError.NO_PARTNER, tag | MsgTag.FLAG_ERROR);
        assertError("timed send", SEND, IpcError.NO_PARTNER, tag | MsgTag.FLAG_ERROR);
        assertTrue((Long) rec.get("woke at") < 5000, "woken by the deletion, not by its timeout: " + rec);
        assertEquals(0x77, outcome("after").label(), "a stale send deadline ended a later IPC");
        assertError("later send", SEND, IpcError.NO_PARTNER, MsgTag.FLAG_ERROR);
        assertEquals("free", h.kernel().stateOf(id[0]));
        assertConsistent(h);
    }

    @Test
    void threadsWaitingForADeletedThreadWakeWithReceivePhaseNonExistingPartner() {
        long[] id = new long[5];   // T, closed receiver, caller (fast path), caller (slow: timeout), open receiver
        Harness h = run(root -> {
            id[0] = root.local(l4 -> {
                l4.waitAny(); rec.put("T 1", Outcome.of(l4));
                l4.waitAny(); rec.put("T 2", Outcome.of(l4));
                l4.sleepMicros(1_000_000);                // holds both requests, never replies
            });
            id[1] = root.local(l4 -> { l4.receive(id[0]); rec.put("closed", Outcome.of(l4)); });
            id[2] = root.local(l4 -> { l4.loadMsg(0x1); l4.call(id[0]); rec.put("call", Outcome.of(l4)); });
            id[3] = root.local(l4 -> {
                l4.loadMsg(0x2);
                l4.call(id[0], Timeout.NEVER, Timeout.period(50_000));
                rec.put("timed call", Outcome.of(l4));
            });
            id[4] = root.local(l4 -> { l4.waitAny(Timeout.period(1000)); rec.put("open", Outcome.of(l4)); });
            root.sleep(100);
            rec.put("killed", root.kill(id[0]));
            root.l4.receive(id[0], Timeout.ZERO);
            rec.put("later receive", Outcome.of(root.l4));
        });
        assertEquals(true, rec.get("killed"));
        assertEquals(0x1, outcome("T 1").label());
        assertEquals(0x2, outcome("T 2").label());
        assertError("closed", RECV, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertError("call", RECV, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertError("timed call", RECV, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertError("open", RECV, IpcError.TIMEOUT, MsgTag.ERROR_TAG);   // an open receive does not care
        assertError("later receive", RECV, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertTrue(h.kernel().trace().fastPathHits > 0, "the first call went through the fast path");
        assertConsistent(h);
    }

    @Test
    void aDeletedQueuedSenderLeavesItsReceiversQueueWithoutAStaleMessage() {
        long[] id = new long[3];   // R, S1 (deleted while queued), S2
        Harness h = run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(200);
                l4.waitAny(Timeout.period(100));
                rec.put("R 1", Outcome.of(l4));
                rec.put("R 1 word", l4.mr(1));
                l4.waitAny(Timeout.period(100));
                rec.put("R 2", Outcome.of(l4));
                l4.loadMsg(0x9);
                l4.send(id[1], Timeout.period(100));
                rec.put("R to dead", Outcome.of(l4));
                l4.receive(id[1], Timeout.period(100));
                rec.put("R from dead", Outcome.of(l4));
            });
            id[1] = root.local(l4 -> { l4.loadMsg(0x1, 1); l4.send(id[0]); rec.put("S1 returned", true); });
            id[2] = root.local(l4 -> { l4.sleepMicros(10); l4.loadMsg(0x2, 2); l4.send(id[0]); });
            root.sleep(100);
            rec.put("queue", IpcInspector.sendQueue(root.kernel(), id[0]));
            rec.put("killed", root.kill(id[1]));
            rec.put("queue after", IpcInspector.sendQueue(root.kernel(), id[0]));
        });
        assertEquals(List.of(id[1], id[2]), rec.get("queue"));
        assertEquals(List.of(id[2]), rec.get("queue after"));
        assertNull(rec.get("S1 returned"), "a deleted thread never returns from its IPC");
        assertEquals(0x2, outcome("R 1").label());
        assertEquals(2L, rec.get("R 1 word"));
        assertError("R 2", RECV, IpcError.TIMEOUT, MsgTag.ERROR_TAG);
        assertError("R to dead", SEND, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertError("R from dead", RECV, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertConsistent(h);
    }

    @Test
    void aServerRunningOnItsCallersStackCanDeleteTheCaller() {
        // The fast path runs the server nested on the client's carrier stack (Processor.switchNested):
        // the server deletes the client whose frames lie under its own, then replies to it.
        long[] id = new long[2];   // server S, client C
        Harness h = run(root -> {
            id[0] = root.local(l4 -> {
                l4.waitAny();
                long client = l4.from();
                rec.put("killed", new Threads(l4).kill(id[1]));
                l4.loadMsg(0x2);
                l4.reply(client);
                rec.put("reply", Outcome.of(l4));
                l4.loadMsg(0x3);
                l4.call(id[1]);
                rec.put("call", Outcome.of(l4));
            });
            root.sleep(100);
            id[1] = root.local(l4 -> {
                l4.loadMsg(0x1);
                l4.call(id[0]);
                rec.put("C returned", true);
            });
        });
        assertEquals(true, rec.get("killed"));
        assertNull(rec.get("C returned"));
        assertError("reply", SEND, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertError("call", SEND, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertConsistent(h);
        assertEquals(List.of(), h.kernel().invariantViolations());
    }

    @Test
    void aDeletedWaitingReceiverCanNoLongerBeSentTo() {
        long[] id = new long[2];   // R (waiting, deleted), S (sends and calls afterwards)
        Harness h = run(root -> {
            id[0] = root.local(l4 -> { l4.waitAny(); rec.put("R returned", true); });
            id[1] = root.local(l4 -> {
                l4.sleepMicros(200);
                l4.loadMsg(0x1);
                l4.send(id[0]);
                rec.put("S", Outcome.of(l4));
                l4.call(id[0]);
                rec.put("S call", Outcome.of(l4));
            });
            root.sleep(100);
            rec.put("killed", root.kill(id[0]));
        });
        assertNull(rec.get("R returned"));
        assertError("S", SEND, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertError("S call", SEND, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertConsistent(h);
    }

    @Test
    void aSenderThatIsDeletedWhileAThreadWaitsForItSpecificallyWakesTheWaiter() {
        long[] id = new long[3];   // X (busy), S (queued on X, deleted), W (closed receive from S)
        Harness h = run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(300);
                l4.waitAny(Timeout.ZERO);
                rec.put("X", Outcome.of(l4));
            });
            id[1] = root.local(l4 -> { l4.loadMsg(0x1); l4.send(id[0]); });
            id[2] = root.local(l4 -> { l4.receive(id[1]); rec.put("W", Outcome.of(l4)); });
            root.sleep(100);
            root.kill(id[1]);
        });
        assertError("W", RECV, IpcError.NO_PARTNER, MsgTag.ERROR_TAG);
        assertError("X", RECV, IpcError.TIMEOUT, MsgTag.ERROR_TAG);
        assertConsistent(h);
    }

    /**
     * The handshake lock is reachable: X sends to the (higher-priority) root and in its receive
     * phase finds S queued. Both become locked (S locked_running, X locked_waiting) and the root
     * runs first, so it can delete either while the transfer is pending.
     */
    void handshake(boolean deleteSender) {
        long[] id = new long[2];   // X, S
        long sTag = MsgTag.make(0x22, 1, 0);
        Harness h = run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(100);                      // S queues meanwhile
                l4.loadMsg(0x11);
                l4.ipc(rootId[0], ThreadId.ANY, Timeout.NEVER_NEVER);
                rec.put("X", Outcome.of(l4));
                rec.put("X word", l4.mr(1));
            });
            id[1] = root.local(l4 -> {
                l4.loadMsg(0x22, 5);
                l4.send(id[0]);
                rec.put("S", Outcome.of(l4));
            });
            rootId[0] = root.l4.myGlobalId();
            root.l4.receive(id[0]);
            rec.put("root", Outcome.of(root.l4));
            rec.put("X state", root.state(id[0]));
            rec.put("S state", root.state(id[1]));
            rec.put("killed", root.kill(id[deleteSender ? 1 : 0]));
            root.sleep(100);
            rec.put("victim state after", root.state(id[deleteSender ? 1 : 0]));
        });
        assertEquals(0x11, outcome("root").label());
        assertEquals((long) Schedule.RECEIVING, rec.get("X state"), "X is locked_waiting");
        assertEquals((long) Schedule.SENDING, rec.get("S state"), "S is locked_running");
        assertEquals(true, rec.get("killed"));
        assertEquals((long) Schedule.ERROR, rec.get("victim state after"));
        if (deleteSender) {
            assertNull(rec.get("S"));
            assertError("X", RECV, IpcError.ABORTED, MsgTag.ERROR_TAG);
        } else {
            assertNull(rec.get("X"));
            assertError("S", SEND, IpcError.ABORTED, sTag | MsgTag.FLAG_ERROR);
        }
        assertConsistent(h);
    }

    final long[] rootId = new long[1];

    @Test
    void deletingTheSenderLockedInAHandshakeAbortsTheReceiver() { handshake(true); }

    @Test
    void deletingTheReceiverLockedInAHandshakeAbortsTheSender() { handshake(false); }

    @Test
    void withoutDeletionTheLockedHandshakeCompletes() {
        long[] id = new long[2];
        Harness h = run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(100);
                l4.loadMsg(0x11);
                l4.ipc(rootId[0], ThreadId.ANY, Timeout.NEVER_NEVER);
                rec.put("X", Outcome.of(l4));
                rec.put("X word", l4.mr(1));
            });
            id[1] = root.local(l4 -> { l4.loadMsg(0x22, 5); l4.send(id[0]); rec.put("S", Outcome.of(l4)); });
            rootId[0] = root.l4.myGlobalId();
            root.l4.receive(id[0]);
            rec.put("S state", root.state(id[1]));
        });
        assertEquals((long) Schedule.SENDING, rec.get("S state"));
        assertEquals(0x22, outcome("X").label());
        assertEquals(5L, rec.get("X word"));
        assertTrue(outcome("S").ok());
        assertConsistent(h);
    }
}
