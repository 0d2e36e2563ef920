package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.user.Entry;
import ristretto.user.L4;

/**
 * Redirection (X.2 §8.6; Pistachio lacks it): IPC from a space that has a redirector (set with
 * SpaceControl) to a thread outside that space goes to the redirector instead, with the r flag
 * set and the original destination in its IntendedReceiver TCR. The redirector can forward the
 * message with propagation, so that the original receiver sees the original sender; so can every
 * redirector further along the chain (the redirector of the redirector's space, and so on), and
 * no one else. IPC inside the space, into it, and to the redirector itself is not redirected;
 * removing the redirector (anythread) restores direct delivery.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class RedirectionTest extends IpcSuite {
    final Map<String, Object> rec = new LinkedHashMap<>();
    final List<String> redirected = new ArrayList<>();

    Outcome outcome(String k) {
        assertNotNull(rec.get(k), () -> k + " not recorded: " + rec);
        return (Outcome) rec.get(k);
    }

    /** A redirector that logs and forwards every message with propagation, until idle for 5 ms. */
    Entry forwardingRedirector() { return forwardingRedirector("R"); }

    /**
     * The same, logging as {@code name}: a message that arrived propagated names its actual
     * sender, e.g. "66 from 70.1 to 69.1 r p (actual 71.1)".
     */
    Entry forwardingRedirector(String name) {
        return l4 -> {
            while (true) {
                long tag = l4.waitAny(Timeout.period(5000));
                if (L4.failed(tag)) break;
                long from = l4.from(), intended = l4.intendedReceiver();
                redirected.add((name.equals("R") ? "" : name + ": ") + MsgTag.label(tag) + " from " + ThreadId.toString(from)
                        + " to " + ThreadId.toString(intended) + (MsgTag.isRedirected(tag) ? " r" : "")
                        + (MsgTag.isPropagated(tag) ? " p (actual " + ThreadId.toString(l4.actualSender()) + ")" : ""));
                l4.setVirtualSender(from);
                l4.setMr(0, tag | MsgTag.FLAG_PROPAGATED);
                l4.send(intended);
                rec.put(name + " forward " + MsgTag.label(tag), Outcome.of(l4));
            }
        };
    }

    /** A receiver that records {@code n} messages with From, flags and ActualSender. */
    Entry receiver(String name, int n) {
        return l4 -> {
            for (int i = 0; i < n; i++) {
                l4.waitAny(Timeout.period(20_000));
                rec.put(name + i, Outcome.of(l4));
                rec.put(name + i + " actual", l4.actualSender());
                l4.setVirtualSender(0);
            }
        };
    }

    void setRedirector(IpcScenario.Root root, long spaceOf, long redirector) {
        boolean ok = root.l4.spaceControl(spaceOf, 0, 0, 0, redirector);
        rec.put("SpaceControl " + ThreadId.toString(redirector), ok ? "ok" : "error " + root.l4.errorCode());
    }

    @Test
    void ipcLeavingTheSpaceGoesToTheRedirectorWhichForwardsItAsTheOriginalSender() {
        long[] id = new long[3];   // R (root space), B (its own space), A (space X, redirected to R)
        run(root -> {
            id[0] = root.local(forwardingRedirector());
            id[1] = root.remote(receiver("B", 1));
            id[2] = root.remote(l4 -> { l4.loadMsg(0x42, 7); l4.send(id[1]); rec.put("A", Outcome.of(l4)); });
            setRedirector(root, id[2], id[0]);
        });
        assertEquals("ok", rec.get("SpaceControl " + ThreadId.toString(id[0])));
        assertEquals(List.of("66 from " + ThreadId.toString(id[2]) + " to " + ThreadId.toString(id[1]) + " r"), redirected);
        assertTrue(outcome("A").ok());
        assertTrue(outcome("R forward 66").ok(), rec::toString);
        Outcome b = outcome("B0");
        assertEquals(id[2], b.from(), "the receiver sees the original sender");
        assertEquals(0x42, b.label());
        assertTrue(MsgTag.isPropagated(b.tag()));
        assertFalse(MsgTag.isRedirected(b.tag()), "r is a receive flag: cleared on the forwarded delivery");
        assertEquals(id[0], rec.get("B0 actual"));
    }

    @Test
    void aRedirectedCallIsAnsweredDirectlyByTheOriginalReceiver() {
        long[] id = new long[3];   // R, B (server), A (client in space X)
        run(root -> {
            id[0] = root.local(forwardingRedirector());
            id[1] = root.remote(l4 -> {
                l4.waitAny();
                rec.put("B", Outcome.of(l4));
                l4.loadMsg(0x51, l4.mr(1) + 1);
                l4.reply(l4.from());
                rec.put("B reply", Outcome.of(l4));
            });
            id[2] = root.remote(l4 -> {
                l4.loadMsg(0x50, 1);
                l4.call(id[1]);
                rec.put("A", Outcome.of(l4));
                rec.put("A word", l4.mr(1));
            });
            setRedirector(root, id[2], id[0]);
        });
        assertEquals(id[2], outcome("B").from());
        assertTrue(outcome("B reply").ok(), "the reply into the redirected space is not redirected: " + rec);
        Outcome a = outcome("A");
        assertTrue(a.ok(), a::toString);
        assertEquals(0x51, a.label());
        assertEquals(2L, rec.get("A word"));
        assertEquals(id[1], a.from());
        assertEquals(1, redirected.size(), redirected::toString);
    }

    /**
     * A chain of redirectors (§8.5, §8.6): space A's redirector R1 lives in space B, whose
     * redirector is R2. A client of A calls S: the call goes to R1, whose forward leaves B and so
     * goes to R2, whose forward reaches S. Each redirector of the chain may propagate as the
     * client, so S sees the client (and R2 as ActualSender) and its reply reaches the client.
     */
    @Test
    void aCallThroughAChainOfTwoRedirectorsReachesTheServerAsTheClientAndTheReplyReachesTheClient() {
        long[] id = new long[4];   // R2 (root's space), R1 (space B), S (its own space), C (space A)
        run(root -> {
            id[0] = root.local(forwardingRedirector("R2"));
            id[1] = root.remote(forwardingRedirector("R1"));
            id[2] = root.remote(l4 -> {
                l4.waitAny();
                rec.put("S", Outcome.of(l4));
                rec.put("S actual", l4.actualSender());
                l4.loadMsg(0x51, l4.mr(1) + 1);
                l4.reply(l4.from());
                rec.put("S reply", Outcome.of(l4));
            });
            id[3] = root.remote(l4 -> {
                l4.loadMsg(0x50, 1);
                l4.call(id[2], Timeout.NEVER, Timeout.period(50_000));
                rec.put("C", Outcome.of(l4));
                rec.put("C word", l4.mr(1));
            });
            setRedirector(root, id[1], id[0]);                    // B -> R2
            setRedirector(root, id[3], id[1]);                    // A -> R1
        });
        String r2 = ThreadId.toString(id[0]), r1 = ThreadId.toString(id[1]), s = ThreadId.toString(id[2]), c = ThreadId.toString(id[3]);
        assertEquals(List.of("R1: 80 from " + c + " to " + s + " r",
                "R2: 80 from " + c + " to " + s + " r p (actual " + r1 + ")"), redirected);
        assertTrue(outcome("R1 forward 80").ok(), rec::toString);
        assertTrue(outcome("R2 forward 80").ok(), rec::toString);
        Outcome atS = outcome("S");
        assertEquals(id[3], atS.from(), () -> "the server sees the client: " + atS + " " + redirected);
        assertTrue(MsgTag.isPropagated(atS.tag()));
        assertFalse(MsgTag.isRedirected(atS.tag()));
        assertEquals(id[0], rec.get("S actual"), "ActualSender is the last redirector");
        assertTrue(outcome("S reply").ok(), rec::toString);
        Outcome atC = outcome("C");
        assertTrue(atC.ok(), atC::toString);
        assertEquals(0x51, atC.label());
        assertEquals(2L, rec.get("C word"));
        assertEquals(id[2], atC.from(), "the reply comes from the server, directly");
    }

    /**
     * Only the chain from the virtual sender's space counts: the redirector of another space,
     * and a thread that shares the redirector's space, are no redirectors of the client.
     */
    @Test
    void aThreadOutsideTheVirtualSendersRedirectorChainCannotPropagateAsIt() {
        long[] id = new long[6];   // R1 (space B), B2 (space B), Q (space E, redirected to Q's own R), S, C (space A), RQ
        run(root -> {
            id[0] = root.remote(forwardingRedirector("R1"));
            Entry impostor = l4 -> {
                l4.receive(l4.pager());                           // the root gives the client's ID
                long client = l4.mr(1);
                l4.setVirtualSender(client);
                l4.loadMsg(0x60);
                l4.setMr(0, l4.mr(0) | MsgTag.FLAG_PROPAGATED);
                l4.send(id[3]);
            };
            id[1] = root.sibling(id[0], impostor);
            id[5] = root.local(impostor);                         // the redirector of space E
            id[2] = root.remote(l4 -> {});                        // a thread of space E
            id[3] = root.remote(l4 -> {
                for (int i = 0; i < 3; i++) {
                    l4.waitAny(Timeout.period(10_000));
                    rec.put("S" + i, Outcome.of(l4));
                }
            });
            id[4] = root.remote(l4 -> { l4.loadMsg(0x50); l4.send(id[3]); });
            setRedirector(root, id[4], id[0]);                    // A -> R1
            setRedirector(root, id[2], id[5]);                    // E -> the second impostor
            root.sleep(1000);
            for (long impostorId : new long[] {id[1], id[5]}) {
                root.l4.loadMsg(0, id[4]);
                root.l4.send(impostorId);
                root.sleep(1000);
            }
        });
        assertEquals(id[4], outcome("S0").from(), "R1 propagates as the client");
        assertTrue(MsgTag.isPropagated(outcome("S0").tag()));
        for (int i = 1; i <= 2; i++) {
            Outcome o = outcome("S" + i);
            assertEquals(0x60, o.label(), o::toString);
            assertFalse(MsgTag.isPropagated(o.tag()), "not propagated: " + o);
            assertEquals(id[i == 1 ? 1 : 5], o.from(), "From is the real sender");
        }
    }

    /** Two spaces whose redirectors live in each other: the chain is a cycle, followed only so far. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aCycleOfRedirectorsEndsThePropagationCheckWithARefusal() {
        long[] id = new long[5];   // C (space A), R2 (space A), R1 (space B), S, X (root's space)
        run(root -> {
            Entry idle = l4 -> l4.receive(l4.pager(), Timeout.period(5000));
            id[0] = root.remote(idle);
            id[1] = root.sibling(id[0], idle);
            id[2] = root.remote(idle);
            id[3] = root.remote(l4 -> { l4.waitAny(Timeout.period(5000)); rec.put("S", Outcome.of(l4)); });
            id[4] = root.local(l4 -> {
                l4.setVirtualSender(id[0]);
                l4.loadMsg(0x70);
                l4.setMr(0, l4.mr(0) | MsgTag.FLAG_PROPAGATED);
                l4.send(id[3]);
                rec.put("X", Outcome.of(l4));
            });
            setRedirector(root, id[0], id[2]);                    // A -> R1 (in B)
            setRedirector(root, id[2], id[1]);                    // B -> R2 (in A)
        });
        assertTrue(outcome("X").ok(), rec::toString);
        Outcome atS = outcome("S");
        assertEquals(0x70, atS.label());
        assertFalse(MsgTag.isPropagated(atS.tag()), atS::toString);
        assertEquals(id[4], atS.from());
    }

    @Test
    void ipcInsideTheSpaceIntoItAndToTheRedirectorItselfIsNotRedirected() {
        long[] id = new long[4];   // R, A (space X), A2 (space X), B (outside)
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.waitAny(Timeout.period(5000));
                rec.put("R", Outcome.of(l4));
                rec.put("R intended", l4.intendedReceiver());
                l4.waitAny(Timeout.period(5000));
                rec.put("R2", Outcome.of(l4));
            });
            id[1] = root.remote(l4 -> {
                l4.loadMsg(0x1);
                l4.send(id[2]);                           // inside X
                l4.loadMsg(0x2);
                l4.send(id[0]);                           // to the redirector itself
                l4.waitAny();                             // from B, into X
                rec.put("A from B", Outcome.of(l4));
            });
            id[2] = root.sibling(id[1], l4 -> { l4.waitAny(); rec.put("A2", Outcome.of(l4)); });
            id[3] = root.remote(l4 -> { l4.sleepMicros(100); l4.loadMsg(0x3); l4.send(id[1]); });
            setRedirector(root, id[1], id[0]);
        });
        Outcome a2 = outcome("A2");
        assertEquals(0x1, a2.label());
        assertFalse(MsgTag.isRedirected(a2.tag()));
        Outcome r = outcome("R");
        assertEquals(0x2, r.label());
        assertFalse(MsgTag.isRedirected(r.tag()), "IPC to the redirector is delivered as is");
        assertEquals(0L, rec.get("R intended"));
        assertEquals(err(RECV, IpcError.TIMEOUT), outcome("R2").errorCode(), "nothing else reached the redirector");
        Outcome fromB = outcome("A from B");
        assertEquals(0x3, fromB.label());
        assertEquals(id[3], fromB.from());
        assertFalse(MsgTag.isRedirected(fromB.tag()));
    }

    @Test
    void removingTheRedirectorRestoresDirectDelivery() {
        long[] id = new long[3];   // R, B, A (space X)
        run(root -> {
            id[0] = root.local(forwardingRedirector());
            id[1] = root.remote(receiver("B", 2));
            id[2] = root.remote(l4 -> {
                l4.loadMsg(0x61);
                l4.send(id[1]);
                l4.sleepMicros(1000);                     // the root removes the redirector meanwhile
                l4.loadMsg(0x62);
                l4.send(id[1]);
            });
            setRedirector(root, id[2], id[0]);
            root.sleep(500);
            setRedirector(root, id[2], ThreadId.ANY);
        });
        assertEquals("ok", rec.get("SpaceControl anythread"));
        assertEquals(1, redirected.size(), redirected::toString);
        Outcome first = outcome("B0"), second = outcome("B1");
        assertEquals(0x61, first.label());
        assertTrue(MsgTag.isPropagated(first.tag()));
        assertEquals(id[0], rec.get("B0 actual"));
        assertEquals(0x62, second.label());
        assertEquals(id[2], second.from());
        assertFalse(MsgTag.isPropagated(second.tag()) || MsgTag.isRedirected(second.tag()), second::toString);
        assertEquals(0L, rec.get("B1 actual"), "delivered directly: no ActualSender");
    }

    @Test
    void aRedirectedSendBlocksOnTheRedirectorNotOnTheIntendedReceiver() {
        long[] id = new long[3];   // R (busy at first), B (always waiting), A (space X)
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(300);
                l4.waitAny();
                rec.put("R", Outcome.of(l4));
                rec.put("R intended", l4.intendedReceiver());
            });
            id[1] = root.remote(l4 -> { l4.waitAny(Timeout.period(1000)); rec.put("B", Outcome.of(l4)); });
            id[2] = root.remote(l4 -> {
                l4.loadMsg(0x71);
                l4.send(id[1], Timeout.ZERO);             // B waits, but the redirector does not
                rec.put("A zero", Outcome.of(l4));
                l4.loadMsg(0x72);
                l4.send(id[1]);                           // queues at the redirector
                rec.put("A", Outcome.of(l4));
            });
            setRedirector(root, id[2], id[0]);
        });
        assertEquals(err(SEND, IpcError.TIMEOUT), outcome("A zero").errorCode());
        assertTrue(outcome("A").ok());
        assertEquals(0x72, outcome("R").label());
        assertTrue(MsgTag.isRedirected(outcome("R").tag()));
        assertEquals(id[1], rec.get("R intended"));
        assertEquals(err(RECV, IpcError.TIMEOUT), outcome("B").errorCode(), "B never saw A's messages");
    }
}
