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
 * message with propagation, so that the original receiver sees the original sender. IPC inside
 * the space, into it, and to the redirector itself is not redirected; removing the redirector
 * (anythread) restores direct delivery.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class RedirectionTest {
    final Map<String, Object> rec = new LinkedHashMap<>();
    final List<String> redirected = new ArrayList<>();

    Outcome outcome(String k) {
        assertNotNull(rec.get(k), () -> k + " not recorded: " + rec);
        return (Outcome) rec.get(k);
    }

    /** A redirector that logs and forwards every message with propagation, until idle for 5 ms. */
    Entry forwardingRedirector() {
        return l4 -> {
            while (true) {
                long tag = l4.waitAny(Timeout.period(5000));
                if (L4.failed(tag)) break;
                long from = l4.from(), intended = l4.intendedReceiver();
                redirected.add(MsgTag.label(tag) + " from " + ThreadId.toString(from) + " to " + ThreadId.toString(intended)
                        + (MsgTag.isRedirected(tag) ? " r" : ""));
                l4.setVirtualSender(from);
                l4.setMr(0, tag | MsgTag.FLAG_PROPAGATED);
                l4.send(intended);
                rec.put("R forward " + MsgTag.label(tag), Outcome.of(l4));
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
