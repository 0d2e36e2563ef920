package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.Timeout;
import ristretto.user.Entry;

/**
 * Propagation (§8.5): a thread that sets the p flag and its VirtualSender TCR delivers the
 * message as if the virtual sender had sent it — the receiver's From is the virtual sender, its
 * tag keeps p and its ActualSender TCR names the propagator — and a client waiting for the
 * propagator now waits for the final receiver (reply redirection). Propagation is allowed when
 * the propagator shares a space with the virtual sender or with the destination; otherwise p is
 * silently cleared and the message is an ordinary one.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class PropagationTest extends IpcSuite {
    final Map<String, Object> rec = new LinkedHashMap<>();

    Outcome outcome(String k) {
        assertNotNull(rec.get(k), () -> k + " not recorded: " + rec);
        return (Outcome) rec.get(k);
    }

    /** The propagator: takes a request, forwards it as the client to {@code next}, then tries to reply itself. */
    Entry propagator(long[] id, int next) {
        return l4 -> {
            l4.waitAny();
            long client = l4.from();
            rec.put("P request", Outcome.of(l4));
            l4.setVirtualSender(client);
            l4.setMr(0, l4.mr(0) | MsgTag.FLAG_PROPAGATED);
            l4.send(id[next]);
            rec.put("P forward", Outcome.of(l4));
            l4.loadMsg(0xBAD);
            l4.reply(client);                         // the client now waits for the server
            rec.put("P late reply", Outcome.of(l4));
        };
    }

    Entry server() {
        return l4 -> {
            long tag = l4.waitAny();
            rec.put("S", Outcome.of(l4));
            rec.put("S actual sender", l4.actualSender());
            long client = l4.from();
            l4.loadMsg(MsgTag.label(tag) + 1, l4.mr(1) * 10);
            l4.reply(client);
            rec.put("S reply", Outcome.of(l4));
        };
    }

    Entry client(long[] id, int to) {
        return l4 -> {
            l4.loadMsg(0x70, 4);
            l4.call(id[to]);
            rec.put("C", Outcome.of(l4));
            rec.put("C word", l4.mr(1));
        };
    }

    @Test
    void aPropagatedMessageArrivesAsTheVirtualSendersAndTheServersReplyReachesTheClient() {
        long[] id = new long[3];   // client (own space), propagator and server (root space)
        run(root -> {
            id[2] = root.local(server());
            id[1] = root.local(propagator(id, 2));
            id[0] = root.remote(client(id, 1));
        });
        Outcome s = outcome("S");
        assertEquals(id[0], s.from(), "From is the virtual sender (global: another space)");
        assertTrue(MsgTag.isPropagated(s.tag()), s::toString);
        assertEquals(0x70, s.label());
        assertEquals(id[1], rec.get("S actual sender"), "ActualSender is the propagator");
        assertTrue(outcome("P forward").ok());
        // Reply redirection: the client waited for the propagator, now for the server.
        assertEquals(err(SEND, IpcError.TIMEOUT), outcome("P late reply").errorCode(), rec::toString);
        assertTrue(outcome("S reply").ok(), rec::toString);
        Outcome c = outcome("C");
        assertTrue(c.ok(), c::toString);
        assertEquals(0x71, c.label());
        assertEquals(40L, rec.get("C word"));
        assertEquals(id[2], c.from(), "the reply comes from the server");
    }

    @Test
    void aVirtualSenderOfTheReceiversSpaceIsReportedByItsLocalId() {
        long[] id = new long[3];   // all three in the root's space
        run(root -> {
            id[2] = root.local(server());
            id[1] = root.local(propagator(id, 2));
            id[0] = root.local(client(id, 1));
            rec.put("client local", root.l4.localIdOf(id[0]));
        });
        assertEquals(rec.get("client local"), outcome("S").from());
        assertTrue(MsgTag.isPropagated(outcome("S").tag()));
        assertEquals(0x71, outcome("C").label());
    }

    @Test
    void propagationIsAllowedWhenTheVirtualSenderSharesThePropagatorsSpace() {
        long[] id = new long[3];   // client and propagator in the root's space, server elsewhere
        run(root -> {
            id[2] = root.remote(server());
            id[1] = root.local(propagator(id, 2));
            id[0] = root.local(client(id, 1));
        });
        assertEquals(id[0], outcome("S").from());
        assertTrue(MsgTag.isPropagated(outcome("S").tag()));
        assertEquals(id[1], rec.get("S actual sender"));
        assertEquals(0x71, outcome("C").label());
        assertEquals(id[2], outcome("C").from());
    }

    @Test
    void disallowedPropagationIsSilentlyAnOrdinarySend() {
        long[] id = new long[3];   // client, propagator and server in three different spaces
        run(root -> {
            id[2] = root.remote(l4 -> {
                l4.waitAny();
                rec.put("S", Outcome.of(l4));
                rec.put("S actual sender", l4.actualSender());
                l4.loadMsg(0x1);
                l4.reply(id[0]);                          // the client still waits for the propagator
                rec.put("S reply to client", Outcome.of(l4));
            });
            id[1] = root.remote(l4 -> {
                l4.waitAny();
                long client = l4.from();
                l4.setVirtualSender(client);
                l4.setMr(0, l4.mr(0) | MsgTag.FLAG_PROPAGATED);
                l4.send(id[2]);
                rec.put("P forward", Outcome.of(l4));
                l4.sleepMicros(100);                      // the server tries to reply first
                l4.loadMsg(0x72, 5);
                l4.reply(client);
                rec.put("P reply", Outcome.of(l4));
            });
            id[0] = root.remote(client(id, 1));
        });
        Outcome s = outcome("S");
        assertTrue(s.ok(), s::toString);
        assertEquals(id[1], s.from(), "not propagated: From is the real sender");
        assertFalse(MsgTag.isPropagated(s.tag()), "p is cleared");
        assertEquals(0L, rec.get("S actual sender"), "ActualSender is not written");
        assertTrue(outcome("P forward").ok(), "no error for the propagator");
        assertEquals(err(SEND, IpcError.TIMEOUT), outcome("S reply to client").errorCode());
        assertTrue(outcome("P reply").ok());
        assertEquals(0x72, outcome("C").label());
        assertEquals(id[1], outcome("C").from());
    }

    @Test
    void anInvalidVirtualSenderClearsTheFlag() {
        long[] id = new long[2];
        run(root -> {
            long dead = root.local(l4 -> {});
            id[0] = root.local(l4 -> {
                l4.waitAny();
                rec.put("S1", Outcome.of(l4));
                l4.waitAny();
                rec.put("S2", Outcome.of(l4));
            });
            id[1] = root.local(l4 -> {
                l4.sleepMicros(100);
                l4.setVirtualSender(dead);
                l4.setMr(0, MsgTag.make(0x1, 0, 0) | MsgTag.FLAG_PROPAGATED);
                l4.send(id[0]);
                rec.put("P1", Outcome.of(l4));
                l4.setVirtualSender(0x1234_5678_9ABCL);   // not a thread at all
                l4.setMr(0, MsgTag.make(0x2, 0, 0) | MsgTag.FLAG_PROPAGATED);
                l4.send(id[0]);
                rec.put("P2", Outcome.of(l4));
            });
            root.sleep(10);
            root.kill(dead);
            rec.put("P local", root.l4.localIdOf(id[1]));
        });
        for (String k : new String[] {"S1", "S2"}) {
            assertTrue(outcome(k).ok(), rec::toString);
            assertFalse(MsgTag.isPropagated(outcome(k).tag()), k);
            assertEquals(rec.get("P local"), outcome(k).from(), k);
        }
        assertTrue(outcome("P1").ok() && outcome("P2").ok());
    }

    @Test
    void theDestinationAcceptsAPropagatedMessageWhenWaitingForEitherTheRealOrTheVirtualSender() {
        long[] id = new long[4];   // C (remote), P, S1 waits for P, S2 waits for C
        run(root -> {
            id[2] = root.local(l4 -> {
                l4.receive(id[1], Timeout.period(10_000));
                rec.put("S1", Outcome.of(l4));
                rec.put("S1 actual", l4.actualSender());
            });
            id[3] = root.local(l4 -> {
                l4.receive(id[0], Timeout.period(10_000));
                rec.put("S2", Outcome.of(l4));
                rec.put("S2 actual", l4.actualSender());
            });
            id[1] = root.local(l4 -> {
                l4.waitAny();
                long client = l4.from();
                l4.setVirtualSender(client);
                l4.setMr(0, MsgTag.make(0x11, 0, 0) | MsgTag.FLAG_PROPAGATED);
                l4.send(id[2], Timeout.ZERO);            // S1 waits for the real sender
                rec.put("P to S1", Outcome.of(l4));
                l4.setMr(0, MsgTag.make(0x12, 0, 0) | MsgTag.FLAG_PROPAGATED);
                l4.send(id[3], Timeout.ZERO);            // S2 waits for the virtual sender
                rec.put("P to S2", Outcome.of(l4));
            });
            id[0] = root.remote(l4 -> { l4.sleepMicros(50); l4.loadMsg(0x10); l4.send(id[1]); });
        });
        assertTrue(outcome("P to S1").ok(), rec::toString);
        assertTrue(outcome("P to S2").ok(), rec::toString);
        for (String k : new String[] {"S1", "S2"}) {
            assertEquals(id[0], outcome(k).from(), k);
            assertTrue(MsgTag.isPropagated(outcome(k).tag()), k);
            assertEquals(id[1], rec.get(k + " actual"), k);
        }
    }

    @Test
    void aQueuedPropagatedSenderIsFoundByAClosedReceiveForTheVirtualSender() {
        long[] id = new long[3];   // C (remote), P, S
        run(root -> {
            id[2] = root.local(l4 -> {
                l4.sleepMicros(500);                      // P's propagated send queues first
                l4.receive(id[0]);
                rec.put("S", Outcome.of(l4));
            });
            id[1] = root.local(l4 -> {
                l4.waitAny();
                l4.setVirtualSender(l4.from());
                l4.setMr(0, MsgTag.make(0x13, 0, 0) | MsgTag.FLAG_PROPAGATED);
                l4.send(id[2]);
                rec.put("P", Outcome.of(l4));
            });
            id[0] = root.remote(l4 -> { l4.loadMsg(0x10); l4.send(id[1]); });
        });
        assertEquals(0x13, outcome("S").label(), rec::toString);
        assertEquals(id[0], outcome("S").from());
        assertTrue(outcome("P").ok());
    }
}
