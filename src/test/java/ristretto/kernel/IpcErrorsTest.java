package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.ExRegs;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.user.L4;

/**
 * Every IPC error code and phase (§7, §8.7): non-existing partner, timeouts in either phase,
 * cancellation, message overflow — with the exact MR0 each leaves (E only, or the original tag
 * with E) and From. Whatever the error, the kernel must neither crash nor hang: every scenario
 * ends with a clean halt (no thread stopped by an exception).
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class IpcErrorsTest extends IpcSuite {
    final Map<String, Object> rec = new LinkedHashMap<>();

    Outcome outcome(String key) {
        Object o = rec.get(key);
        assertNotNull(o, () -> "nothing recorded for " + key + ": " + rec);
        return (Outcome) o;
    }

    void assertError(String key, int phase, int error, long mr0) {
        Outcome o = outcome(key);
        assertTrue(MsgTag.isError(o.tag()), () -> key + ": " + o);
        assertEquals(err(phase, error), o.errorCode(), () -> key + ": " + o);
        assertEquals(mr0, o.tag(), () -> key + ": MR0 " + o);
    }

    static final long E = MsgTag.ERROR_TAG;

    // ------------------------------------------------------------------ the ErrorCode word

    @Test
    void theErrorCodeWordIsOffsetErrorNumberAndPhaseBit() {
        assertEquals(2, err(SEND, IpcError.TIMEOUT));
        assertEquals(3, err(RECV, IpcError.TIMEOUT));
        assertEquals(4, err(SEND, IpcError.NO_PARTNER));
        assertEquals(5, err(RECV, IpcError.NO_PARTNER));
        assertEquals(6, err(SEND, IpcError.CANCELED));
        assertEquals(7, err(RECV, IpcError.CANCELED));
        assertEquals(8, err(SEND, IpcError.MSG_OVERFLOW));
        assertEquals(9, err(RECV, IpcError.MSG_OVERFLOW));
        assertEquals(14, err(SEND, IpcError.ABORTED));
        assertEquals((123L << 4) | (5 << 1) | 1, IpcError.encode(RECV, IpcError.XFER_TIMEOUT_CURRENT, 123));
        long w = IpcError.encode(RECV, IpcError.XFER_TIMEOUT_PARTNER, 0x1234);
        assertEquals(RECV, IpcError.phase(w));
        assertEquals(IpcError.XFER_TIMEOUT_PARTNER, IpcError.error(w));
        assertEquals(0x1234, IpcError.offset(w));
        // The library names follow l4test's ipc_errorcode().
        assertEquals("non-existing partner", IpcError.name(IpcError.NO_PARTNER));
        assertEquals("receive phase, canceled", IpcError.toString(7));
        assertEquals(1, IpcError.TIMEOUT);
        assertEquals(2, IpcError.NO_PARTNER);
        assertEquals(3, IpcError.CANCELED);
        assertEquals(4, IpcError.MSG_OVERFLOW);
        assertEquals(5, IpcError.XFER_TIMEOUT_CURRENT);
        assertEquals(6, IpcError.XFER_TIMEOUT_PARTNER);
        assertEquals(7, IpcError.ABORTED);
        assertEquals(0x8000, MsgTag.ERROR_TAG);
    }

    // ------------------------------------------------------------- non-existing partner

    @Test
    void sendingToADeadAStaleOrABogusThreadFailsInTheSendPhaseWithNonExistingPartner() {
        long[] id = new long[2];
        run(root -> {
            long dead = root.local(l4 -> {});
            id[0] = root.local(l4 -> l4.receive(l4.myGlobalId(), Timeout.period(1_000_000)));  // alive
            root.sleep(10);
            root.kill(dead);
            long alive = id[0];
            long stale = ThreadId.global(ThreadId.number(alive), ThreadId.version(alive) + 1);
            long[] targets = {dead, stale, ThreadId.global(200_000, 1), ThreadId.global(1 << 20, 1),
                    ThreadId.ANY, ThreadId.ANY_LOCAL,
                    ROOT_UTCB_BASE + Utcb.MR0_OFFSET + 500L * Utcb.SIZE,   // local ID of no thread
                    0x40};                                                          // not even a UTCB address
            L4 l4 = root.l4;
            for (int i = 0; i < targets.length; i++) {
                l4.loadMsg(0x99, 1, 2);
                l4.send(targets[i]);
                rec.put("send " + i, Outcome.of(l4));
                l4.loadMsg(0x99, 1, 2);
                l4.call(targets[i]);
                rec.put("call " + i, Outcome.of(l4));
                l4.loadMsg(0x99);
                l4.ipc(targets[i], ThreadId.ANY, Timeout.timeouts(Timeout.ZERO, Timeout.ZERO));
                rec.put("replyWait " + i, Outcome.of(l4));
            }
            rec.put("count", targets.length);
        });
        int n = (Integer) rec.get("count");
        for (int i = 0; i < n; i++) {
            for (String op : new String[] {"send ", "call ", "replyWait "}) {
                // E only (label, u, t all 0), From nil; a failed send phase skips the receive phase.
                assertError(op + i, SEND, IpcError.NO_PARTNER, E);
                assertEquals(ThreadId.NIL, outcome(op + i).from());
            }
        }
    }

    @Test
    void aClosedReceiveFromANonExistingThreadFailsInTheReceivePhaseEvenWithAZeroTimeout() {
        run(root -> {
            long dead = root.local(l4 -> {});
            long alive = root.local(l4 -> l4.receive(l4.myGlobalId(), Timeout.period(1_000_000)));
            root.sleep(10);
            root.kill(dead);
            L4 l4 = root.l4;
            l4.receive(dead);
            rec.put("dead", Outcome.of(l4));
            l4.receive(dead, Timeout.ZERO);
            rec.put("dead zero", Outcome.of(l4));
            l4.receive(ThreadId.global(ThreadId.number(alive), 7));
            rec.put("stale", Outcome.of(l4));
            l4.receive(ROOT_UTCB_BASE + Utcb.MR0_OFFSET + 300L * Utcb.SIZE);
            rec.put("bogus local", Outcome.of(l4));
            l4.receive(ThreadId.global(100_000, 1), Timeout.period(10));
            rec.put("bogus", Outcome.of(l4));
        });
        for (String k : new String[] {"dead", "dead zero", "stale", "bogus local", "bogus"}) {
            assertError(k, RECV, IpcError.NO_PARTNER, E);
            assertEquals(ThreadId.NIL, outcome(k).from());
        }
    }

    @Test
    void sendToAThenReceiveFromANonExistingBDeliversToAThenFailsInTheReceivePhase() {
        long[] id = new long[1];
        run(root -> {
            id[0] = root.local(l4 -> { l4.waitAny(); rec.put("A", Outcome.of(l4)); });
            long dead = root.local(l4 -> {});
            root.sleep(10);
            root.kill(dead);
            root.l4.loadMsg(0x31, 5);
            root.l4.ipc(id[0], dead, Timeout.NEVER_NEVER);
            rec.put("X", Outcome.of(root.l4));
        });
        assertEquals(0x31, outcome("A").label());
        assertError("X", RECV, IpcError.NO_PARTNER, E);
    }

    // ------------------------------------------------------------------------------ timeouts

    @Test
    void timeoutsReportThePhaseAndLeaveEOnlyOrTheOriginalTagWithE() {
        long[] id = new long[2];
        long tag = MsgTag.make(0x5A, 2, 0);
        run(root -> {
            // id[0] is busy (sleeping) for a long time: never ready to receive.
            id[0] = root.local(l4 -> l4.sleepMicros(100_000));
            id[1] = root.local(l4 -> {
                l4.loadMsg(0x5A, 1, 2);
                l4.send(id[0], Timeout.ZERO);
                rec.put("send zero", Outcome.of(l4));
                l4.loadMsg(0x5A, 1, 2);
                l4.send(id[0], Timeout.period(100));
                rec.put("send finite", Outcome.of(l4));
                l4.loadMsg(0x5A, 1, 2);
                l4.call(id[0], Timeout.ZERO, Timeout.NEVER);
                rec.put("call send zero", Outcome.of(l4));
                l4.loadMsg(0x5A, 1, 2);
                l4.call(id[0], Timeout.period(50), Timeout.NEVER);
                rec.put("call send finite", Outcome.of(l4));
                l4.loadMsg(0x5A, 1, 2);
                l4.receive(id[0], Timeout.ZERO);
                rec.put("receive zero", Outcome.of(l4));
                l4.loadMsg(0x5A, 1, 2);
                l4.receive(id[0], Timeout.period(100));
                rec.put("receive finite", Outcome.of(l4));
                l4.loadMsg(0x5A, 1, 2);
                l4.waitAny(Timeout.ZERO);
                rec.put("wait zero", Outcome.of(l4));
            });
        });
        assertError("send zero", SEND, IpcError.TIMEOUT, E);
        assertError("send finite", SEND, IpcError.TIMEOUT, tag | E);
        assertError("call send zero", SEND, IpcError.TIMEOUT, E);
        assertError("call send finite", SEND, IpcError.TIMEOUT, tag | E);
        assertError("receive zero", RECV, IpcError.TIMEOUT, E);
        assertError("receive finite", RECV, IpcError.TIMEOUT, E);
        assertError("wait zero", RECV, IpcError.TIMEOUT, E);
    }

    @Test
    void aCallWhoseReplyDoesNotComeInTimeDeliveredTheRequestAndFailsInTheReceivePhase() {
        long[] id = new long[2];
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.waitAny();
                rec.put("server", Outcome.of(l4));
                long client = l4.from();
                l4.sleepMicros(500);
                l4.loadMsg(0x2);
                l4.reply(client);                        // too late: the caller is gone
                rec.put("late reply", Outcome.of(l4));
            });
            id[1] = root.local(l4 -> {
                l4.loadMsg(0x1, 9);
                l4.call(id[0], Timeout.NEVER, Timeout.period(200));
                rec.put("client", Outcome.of(l4));
            });
        });
        assertEquals(0x1, outcome("server").label());
        assertError("client", RECV, IpcError.TIMEOUT, E);
        assertError("late reply", SEND, IpcError.TIMEOUT, E);
    }

    // ---------------------------------------------------------------------------- canceled

    @Test
    void exchangeRegistersCancelsABlockedSendOrReceiveWithErrorCanceled() {
        long[] id = new long[4];
        long tag = MsgTag.make(0x77, 1, 0);
        run(root -> {
            long idle = root.local(l4 -> l4.sleepMicros(1_000_000));  // never receives
            id[0] = root.local(l4 -> { l4.loadMsg(0x77, 3); l4.send(idle); rec.put("send", Outcome.of(l4)); });
            id[1] = root.local(l4 -> { l4.receive(idle); rec.put("receive", Outcome.of(l4)); });
            long server = root.local(s -> { s.waitAny(); rec.put("server got", Outcome.of(s)); });
            id[2] = root.local(l4 -> {
                l4.loadMsg(0x78);
                l4.call(server);
                rec.put("call", Outcome.of(l4));
            });
            long rootId = root.l4.myGlobalId();
            id[3] = root.local(l4 -> {
                l4.receive(idle, Timeout.period(300));
                rec.put("timed receive", Outcome.of(l4));
                l4.receive(rootId);                       // no timeout: the cancelled deadline must not end it
                rec.put("after cancel", Outcome.of(l4));
            });
            root.sleep(100);
            L4 l4 = root.l4;
            for (int i = 0; i < 4; i++) {
                int bits = i == 0 ? ExRegs.CANCEL_SEND : i == 1 ? ExRegs.CANCEL_RECV : ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND;
                long r = l4.exchangeRegisters(id[i], bits, 0, 0, 0, 0, ThreadId.NIL);
                rec.put("exregs " + i, r == ThreadId.NIL ? -1L : l4.reg(0));
            }
            root.sleep(1000);
            l4.loadMsg(0x79);
            l4.send(id[3], Timeout.ZERO);
        });
        assertError("send", SEND, IpcError.CANCELED, tag | E);
        assertError("receive", RECV, IpcError.CANCELED, E);
        assertError("call", RECV, IpcError.CANCELED, E);
        assertEquals(0x78, outcome("server got").label());
        assertError("timed receive", RECV, IpcError.CANCELED, E);
        assertEquals(0x79, outcome("after cancel").label(), "the cancelled receive deadline ended a later IPC");
        assertEquals((long) ExRegs.WAS_SENDING, rec.get("exregs 0"));
        for (int i = 1; i < 4; i++) assertEquals((long) ExRegs.WAS_RECEIVING, rec.get("exregs " + i));
    }

    @Test
    void cancellingTheOtherDirectionLeavesTheIpcAlone() {
        long[] id = new long[3];
        run(root -> {
            id[0] = root.local(l4 -> {              // receiver, busy for 200 µs, then receives twice
                l4.sleepMicros(200);
                l4.receive(id[1]);
                rec.put("got", Outcome.of(l4));
                l4.loadMsg(0x21);
                l4.send(id[2]);
            });
            id[1] = root.local(l4 -> { l4.loadMsg(0x20); l4.send(id[0]); rec.put("sender", Outcome.of(l4)); });
            id[2] = root.local(l4 -> { l4.receive(id[0]); rec.put("receiver", Outcome.of(l4)); });
            root.sleep(100);
            root.l4.exchangeRegisters(id[1], ExRegs.CANCEL_RECV, 0, 0, 0, 0, ThreadId.NIL);   // it is sending
            rec.put("sender state", root.l4.reg(0));
            root.l4.exchangeRegisters(id[2], ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);   // it is receiving
            rec.put("receiver state", root.l4.reg(0));
        });
        assertEquals((long) ExRegs.WAS_SENDING, rec.get("sender state"));
        assertEquals((long) ExRegs.WAS_RECEIVING, rec.get("receiver state"));
        assertTrue(outcome("sender").ok(), rec::toString);
        assertEquals(0x20, outcome("got").label());
        assertEquals(0x21, outcome("receiver").label(), rec::toString);
    }

    /**
     * Cancelling a thread locked in a handshake (the transfer has started) is an abort (7) for
     * both partners (§9.5). The lock is reached as in PartnerDeletionTest: X sends to the
     * higher-priority root and, in its receive phase, finds S queued; the root runs first.
     */
    @Test
    void cancellingEitherSideOfALockedHandshakeAbortsBothSides() {
        for (int side = 0; side < 2; side++) {
            rec.clear();
            long[] id = new long[2];   // X, S
            long[] rootId = new long[1];
            int victim = side;
            run(root -> {
                rootId[0] = root.l4.myGlobalId();
                id[0] = root.local(l4 -> {
                    l4.sleepMicros(100);
                    l4.loadMsg(0x11);
                    l4.ipc(rootId[0], ThreadId.ANY, Timeout.NEVER_NEVER);
                    rec.put("X", Outcome.of(l4));
                });
                id[1] = root.local(l4 -> { l4.loadMsg(0x22, 5); l4.send(id[0]); rec.put("S", Outcome.of(l4)); });
                root.l4.receive(id[0]);
                long r = root.l4.exchangeRegisters(id[victim], ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
                rec.put("control", r == ThreadId.NIL ? -1L : root.l4.reg(0));
            });
            assertEquals((long) (victim == 0 ? ExRegs.WAS_RECEIVING : ExRegs.WAS_SENDING), rec.get("control"), "victim " + victim);
            assertError("X", RECV, IpcError.ABORTED, E);
            assertError("S", SEND, IpcError.ABORTED, MsgTag.make(0x22, 1, 0) | E);
        }
    }

    // ----------------------------------------------------------------------- message overflow

    /** t > 0 is refused until typed items arrive: both sides get error 4, nobody crashes or hangs. */
    @Test
    void typedWordsAreAMessageOverflowForBothSidesWhetherTheReceiverWaitedOrCameLater() {
        long[] id = new long[4];
        long typed = MsgTag.make(0x50, 1, 2);
        long tooLong = MsgTag.make(0x51, 63, 1);   // u + t + 1 = 65 > 64
        run(root -> {
            // Receiver waiting first.
            id[0] = root.local(l4 -> {
                l4.receive(id[1]); rec.put("r1", Outcome.of(l4));
                l4.receive(id[1]); rec.put("r2", Outcome.of(l4));
                l4.sleepMicros(100);                   // now the sender queues first: handshake path
                l4.receive(id[1]); rec.put("r3", Outcome.of(l4));
                l4.receive(id[1]); rec.put("r4", Outcome.of(l4));
                rec.put("r4 word", l4.mr(1));
            });
            id[1] = root.local(l4 -> {
                l4.sleepMicros(10);
                l4.setMr(0, typed); l4.setMr(1, 1); l4.setMr(2, 2); l4.setMr(3, 3);
                l4.send(id[0]); rec.put("s1", Outcome.of(l4));
                l4.setMr(0, tooLong);
                l4.send(id[0]); rec.put("s2", Outcome.of(l4));
                l4.setMr(0, typed);
                l4.send(id[0]); rec.put("s3", Outcome.of(l4));
                l4.loadMsg(0x52, 42);                   // and afterwards everything works
                l4.send(id[0]); rec.put("s4", Outcome.of(l4));
            });
        });
        for (String[] pair : new String[][] {{"s1", "r1"}, {"s2", "r2"}, {"s3", "r3"}}) {
            long sent = pair[0].equals("s2") ? tooLong : typed;
            // Receiver: phase 1, its MR0 the message's tag with E; sender: phase 0, MR0 a copy of
            // the receiver's, From the destination.
            assertError(pair[1], RECV, IpcError.MSG_OVERFLOW, sent | E);
            assertError(pair[0], SEND, IpcError.MSG_OVERFLOW, sent | E);
            assertEquals(id[0], outcome(pair[0]).from(), pair[0]);
            assertEquals(ThreadId.NIL, outcome(pair[1]).from(), pair[1]);
        }
        assertTrue(outcome("s4").ok() && outcome("r4").ok(), rec::toString);
        assertEquals(42L, rec.get("r4 word"));
    }

    @Test
    void aTypedCallOrReplyFailsInTheSendPhaseAndSkipsTheReceivePhase() {
        long[] id = new long[3];
        long typed = MsgTag.make(0x60, 0, 2);
        run(root -> {
            id[0] = root.local(l4 -> {                // server
                l4.waitAny();
                rec.put("server request", Outcome.of(l4));
                long client = l4.from();
                l4.sleepMicros(100);                   // the second client queues meanwhile
                l4.setMr(0, typed);
                l4.replyWait(client);
                rec.put("server reply", Outcome.of(l4));
                l4.waitAny();                          // the second client is still queued
                rec.put("server next", Outcome.of(l4));
                l4.setMr(0, 0);
                l4.reply(l4.from());
                l4.receive(ThreadId.ANY);              // a typed call arrives
                rec.put("server typed call", Outcome.of(l4));
            });
            id[1] = root.local(l4 -> {
                l4.loadMsg(0x61);
                l4.call(id[0]);
                rec.put("client", Outcome.of(l4));
                l4.sleepMicros(1000);
                l4.setMr(0, typed);
                l4.call(id[0]);
                rec.put("typed call", Outcome.of(l4));
            });
            id[2] = root.local(l4 -> { l4.sleepMicros(50); l4.loadMsg(0x62); l4.call(id[0]); rec.put("client2", Outcome.of(l4)); });
        });
        assertEquals(0x61, outcome("server request").label());
        assertError("client", RECV, IpcError.MSG_OVERFLOW, typed | E);
        assertError("server reply", SEND, IpcError.MSG_OVERFLOW, typed | E);
        assertEquals(0x62, outcome("server next").label(), "the failed ReplyWait did not receive");
        assertTrue(outcome("client2").ok());
        assertError("typed call", SEND, IpcError.MSG_OVERFLOW, typed | E);
        assertError("server typed call", RECV, IpcError.MSG_OVERFLOW, typed | E);
    }
}
