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

/**
 * Every IPC operation of §8.2 through the one Ipc primitive: send, closed / open /
 * anylocalthread receive, call, reply-and-wait, send-to-A-receive-from-B, sleep, nil/nil, Lipc.
 * Ordering is fixed with sleeps on the virtual clock, so each scenario is deterministic.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class IpcOperationsTest extends IpcSuite {
    final Map<String, Object> rec = new LinkedHashMap<>();
    final List<String> order = new ArrayList<>();

    Outcome outcome(String key) { return (Outcome) rec.get(key); }

    @Test
    void sendDeliversTheUntypedWordsToAWaitingClosedReceiverAndReturnsTheSentTag() {
        long[] id = new long[2];
        run(root -> {
            id[0] = root.remote(l4 -> {
                l4.receive(id[1]);
                rec.put("r", Outcome.of(l4));
                rec.put("words", words(l4, 3));
            });
            id[1] = root.remote(l4 -> {
                l4.sleepMicros(10);                       // the receiver is blocked by now
                l4.loadMsg(0x123, 7, 8, 9);
                l4.send(id[0]);
                rec.put("s", Outcome.of(l4));
            });
        });
        Outcome r = outcome("r"), s = outcome("s");
        assertTrue(r.ok(), r::toString);
        assertEquals(MsgTag.make(0x123, 3, 0), r.tag());
        assertArrayEquals(new long[] {7, 8, 9}, (long[]) rec.get("words"));
        assertEquals(id[1], r.from(), "a sender in another space is named by its global ID");
        assertTrue(s.ok(), s::toString);
        assertEquals(MsgTag.make(0x123, 3, 0), s.tag(), "a successful send-only IPC leaves MR0 as sent");
        assertEquals(ThreadId.NIL, s.from());
    }

    @Test
    void aSenderBlocksUntilTheReceiverArrivesAndThenHandsOverItsMessage() {
        long[] id = new long[2];
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(200);
                rec.put("receive at", l4.systemClock());
                l4.receive(id[1]);
                rec.put("r", Outcome.of(l4));
                rec.put("words", words(l4, 2));
            });
            id[1] = root.local(l4 -> {
                l4.loadMsg(0x77, 41, 42);
                rec.put("send at", l4.systemClock());
                l4.send(id[0]);
                rec.put("sent at", l4.systemClock());
                rec.put("s", Outcome.of(l4));
            });
            rec.put("localId", root.l4.localIdOf(id[1]));
        });
        Outcome r = outcome("r");
        assertTrue(r.ok() && outcome("s").ok(), rec::toString);
        assertEquals(0x77, r.label());
        assertArrayEquals(new long[] {41, 42}, (long[]) rec.get("words"));
        assertEquals(rec.get("localId"), r.from(), "a same-space sender is named by its local ID");
        assertTrue((Long) rec.get("send at") < 200, rec::toString);
        assertTrue((Long) rec.get("sent at") >= (Long) rec.get("receive at"), "the send completed only once the receiver came: " + rec);
    }

    @Test
    void aClosedReceiveTakesOnlyTheNamedSenderAndLeavesTheOthersQueued() {
        long[] id = new long[3];   // receiver, a, b
        run(root -> {
            id[0] = root.remote(l4 -> {
                l4.sleepMicros(100);
                l4.receive(id[1]);
                rec.put("first", Outcome.of(l4));
                order.add("R got " + l4.mr(1));
                l4.receive(id[2]);
                rec.put("second", Outcome.of(l4));
                order.add("R got " + l4.mr(1));
            });
            id[1] = root.remote(l4 -> { l4.sleepMicros(20); l4.loadMsg(0xA, 1); l4.send(id[0]); order.add("A done"); });
            id[2] = root.remote(l4 -> { l4.sleepMicros(10); l4.loadMsg(0xB, 2); l4.send(id[0]); order.add("B done"); });
        });
        assertEquals(id[1], outcome("first").from());
        assertEquals(0xA, outcome("first").label());
        assertEquals(id[2], outcome("second").from());
        assertEquals(0xB, outcome("second").label());
        // B queued first but was skipped; it completed only with the second receive. (The sender
        // copies in its own context and, at equal priority, keeps the CPU: it is done first.)
        assertEquals(List.of("A done", "R got 1", "B done", "R got 2"), order);
    }

    @Test
    void anOpenReceiveTakesQueuedSendersInArrivalOrder() {
        long[] id = new long[4];
        run(root -> {
            id[0] = root.remote(l4 -> {
                l4.sleepMicros(100);
                for (int i = 0; i < 3; i++) {
                    l4.waitAny();
                    rec.put("r" + i, Outcome.of(l4));
                }
            });
            for (int k = 1; k <= 3; k++) {
                int kk = k;
                id[k] = root.remote(l4 -> { l4.sleepMicros(40 - 10 * kk); l4.loadMsg(kk); l4.send(id[0]); });
            }
        });
        // Arrival order: id[3] at 10 µs, id[2] at 20 µs, id[1] at 30 µs.
        assertEquals(List.of(id[3], id[2], id[1]),
                List.of(outcome("r0").from(), outcome("r1").from(), outcome("r2").from()));
        assertEquals(3, outcome("r0").label());
    }

    @Test
    void anAnyLocalReceiveAcceptsOnlySendersOfItsOwnSpaceAndSkipsQueuedOthers() {
        long[] id = new long[3];   // receiver R (new space), sibling L (same space), other O
        run(root -> {
            id[0] = root.remote(l4 -> {
                rec.put("L local", l4.localIdOf(id[1]));
                l4.sleepMicros(100);                  // O queues at 10 µs, L at 20 µs
                l4.waitLocal();
                rec.put("local", Outcome.of(l4));
                l4.receive(ThreadId.ANY_LOCAL, Timeout.period(50));   // only O is queued now
                rec.put("local again", Outcome.of(l4));
                l4.waitAny();
                rec.put("any", Outcome.of(l4));
                // Blocked in an anylocal receive, R is not ready for O: O's zero-timeout send fails.
                l4.receive(ThreadId.ANY_LOCAL, Timeout.period(1000));
                rec.put("local last", Outcome.of(l4));
            });
            id[1] = root.sibling(id[0], l4 -> {
                l4.sleepMicros(20); l4.loadMsg(0x1); l4.send(id[0]);
                l4.sleepMicros(1000);
                l4.loadMsg(0x3); l4.send(id[0]);      // ends R's last anylocal receive
            });
            id[2] = root.remote(l4 -> {
                l4.sleepMicros(10); l4.loadMsg(0x2); l4.send(id[0]);
                l4.sleepMicros(300);
                l4.loadMsg(0x4);
                l4.ipc(id[0], ThreadId.NIL, Timeout.timeouts(Timeout.ZERO, Timeout.NEVER));
                rec.put("O zero send", Outcome.of(l4));
            });
        });
        assertEquals(0x1, outcome("local").label(), rec::toString);
        assertEquals(rec.get("L local"), outcome("local").from(), "anylocal reports the local ID");
        assertEquals(err(RECV, IpcError.TIMEOUT), outcome("local again").errorCode(), rec::toString);
        assertEquals(0x2, outcome("any").label());
        assertEquals(id[2], outcome("any").from());
        assertEquals(err(SEND, IpcError.TIMEOUT), outcome("O zero send").errorCode(), rec::toString);
        assertEquals(0x3, outcome("local last").label(), rec::toString);
    }

    @Test
    void callSendsAndWaitsForTheReplyOfTheCalleeOnly() {
        long[] id = new long[3];   // server, client, intruder
        run(root -> {
            id[0] = root.remote(l4 -> {
                long tag = l4.waitAny();
                long client = l4.from();
                rec.put("request", Outcome.of(l4));
                l4.sleepMicros(100);                  // the intruder's send to the client queues meanwhile
                l4.loadMsg(MsgTag.label(tag) + 1, l4.mr(1) * 2);
                l4.reply(client);
                rec.put("reply", Outcome.of(l4));
            });
            id[1] = root.remote(l4 -> {
                l4.loadMsg(0x40, 21);
                l4.call(id[0]);
                rec.put("client", Outcome.of(l4));
                rec.put("client word", l4.mr(1));
                l4.waitAny();
                rec.put("intruder msg", Outcome.of(l4));
            });
            id[2] = root.remote(l4 -> { l4.sleepMicros(50); l4.loadMsg(0x99); l4.send(id[1]); });
        });
        assertEquals(id[1], outcome("request").from());
        assertTrue(outcome("reply").ok(), rec::toString);
        Outcome c = outcome("client");
        assertTrue(c.ok(), c::toString);
        assertEquals(0x41, c.label());
        assertEquals(42L, rec.get("client word"));
        assertEquals(id[0], c.from());
        assertEquals(0x99, outcome("intruder msg").label(), "the intruder was kept queued during the call");
    }

    @Test
    void aCallToABusyServerQueuesUntilTheServerWaits() {
        long[] id = new long[2];
        run(root -> {
            id[0] = root.remote(l4 -> {
                l4.sleepMicros(100);
                l4.waitAny();
                long client = l4.from();
                l4.loadMsg(0x5, l4.mr(1) + 1);
                l4.reply(client);
                rec.put("reply", Outcome.of(l4));
            });
            id[1] = root.remote(l4 -> {
                l4.loadMsg(0x4, 10);
                l4.call(id[0]);
                rec.put("client", Outcome.of(l4));
                rec.put("client word", l4.mr(1));
                rec.put("client at", l4.systemClock());
            });
        });
        assertTrue(outcome("reply").ok(), rec::toString);
        assertEquals(0x5, outcome("client").label(), rec::toString);
        assertEquals(11L, rec.get("client word"));
        assertTrue((Long) rec.get("client at") >= 100);
    }

    @Test
    void replyAndWaitServesClientsOneAfterAnother() {
        long[] id = new long[4];
        run(root -> {
            id[0] = root.local(l4 -> {
                long tag = l4.waitAny();
                int served = 0;
                while (!L4Failed(tag)) {
                    long client = l4.from();
                    served++;
                    l4.loadMsg(MsgTag.label(tag), l4.mr(1) * 2);
                    tag = l4.replyWait(client, Timeout.period(5000));
                }
                rec.put("served", served);
                rec.put("server end", Outcome.of(l4));
            });
            for (int k = 1; k <= 3; k++) {
                int kk = k;
                id[k] = root.local(l4 -> {
                    for (int i = 0; i < 2; i++) {
                        l4.loadMsg(kk, 100 * kk + i);
                        l4.call(id[0]);
                        rec.put("c" + kk + "." + i, Outcome.of(l4).ok() ? l4.mr(1) : -1L);
                    }
                });
            }
            rec.put("server local", root.l4.localIdOf(id[0]));
        });
        assertEquals(6, rec.get("served"));
        assertEquals(err(RECV, IpcError.TIMEOUT), outcome("server end").errorCode());
        for (int k = 1; k <= 3; k++)
            for (int i = 0; i < 2; i++) assertEquals(2L * (100 * k + i), rec.get("c" + k + "." + i), rec::toString);
    }

    private static boolean L4Failed(long tag) { return MsgTag.isError(tag); }

    @Test
    void sendToAThenReceiveFromBAcceptsOnlyB() {
        long[] id = new long[3];   // X, A, B
        run(root -> {
            id[0] = root.remote(l4 -> {
                l4.loadMsg(0x10, 1);
                l4.ipc(id[1], id[2], Timeout.NEVER_NEVER);
                rec.put("X", Outcome.of(l4));
                l4.receive(id[1]);
                rec.put("X from A", Outcome.of(l4));
            });
            id[1] = root.remote(l4 -> {
                l4.receive(id[0]);
                rec.put("A", Outcome.of(l4));
                l4.loadMsg(0xA0);
                l4.send(id[0], Timeout.ZERO);        // X waits for B only: not ready for A
                rec.put("A zero send", Outcome.of(l4));
                l4.loadMsg(0xA1);
                l4.send(id[0]);                       // queues until X receives from A
            });
            id[2] = root.remote(l4 -> { l4.sleepMicros(100); l4.loadMsg(0xB0); l4.send(id[0]); });
        });
        assertEquals(0x10, outcome("A").label());
        assertEquals(id[0], outcome("A").from());
        assertEquals(err(SEND, IpcError.TIMEOUT), outcome("A zero send").errorCode());
        assertEquals(0xB0, outcome("X").label(), rec::toString);
        assertEquals(id[2], outcome("X").from());
        assertEquals(0xA1, outcome("X from A").label());
    }

    @Test
    void sleepIsAReceiveFromSelfThatEndsInAReceiveTimeoutAfterExactlyThePeriod() {
        run(root -> {
            align(root.l4);
            long before = root.l4.systemClock();
            root.l4.sleep(Timeout.period(1500));
            rec.put("elapsed", root.l4.systemClock() - before);
            rec.put("sleep", Outcome.of(root.l4));
            before = root.l4.systemClock();
            root.l4.ipc(ThreadId.NIL, root.l4.myGlobalId(), Timeout.timeouts(Timeout.NEVER, (3 << 10) | 100));
            rec.put("elapsed2", root.l4.systemClock() - before);
        });
        Outcome o = outcome("sleep");
        assertEquals(err(RECV, IpcError.TIMEOUT), o.errorCode());
        assertEquals(MsgTag.ERROR_TAG, o.tag());
        assertEquals(ThreadId.NIL, o.from());
        assertEquals(Timeout.periodMicros(Timeout.period(1500)), rec.get("elapsed"));
        assertEquals(800L, rec.get("elapsed2"));
    }

    @Test
    void nilToAndNilFromReturnsAtOnceAndChangesNothing() {
        run(root -> {
            var l4 = root.l4;
            l4.receive(l4.myGlobalId(), Timeout.ZERO);          // leaves ErrorCode = (receive, timeout)
            long errBefore = l4.errorCode();
            long tag = MsgTag.make(0x321, 2, 0);
            l4.setMr(0, tag);
            align(l4);
            l4.setMr(0, tag);
            long t0 = l4.systemClock();
            l4.ipc(ThreadId.NIL, ThreadId.NIL, Timeout.timeouts(Timeout.ZERO, Timeout.ZERO));
            long from = l4.from();
            long t1 = l4.systemClock();
            rec.put("from", from);
            rec.put("mr0 same", l4.mr(0) == tag);
            rec.put("err same", l4.errorCode() == errBefore);
            rec.put("elapsed", t1 - t0);
        });
        assertEquals(ThreadId.NIL, rec.get("from"));
        assertEquals(true, rec.get("mr0 same"));
        assertEquals(true, rec.get("err same"));
        assertEquals(0L, rec.get("elapsed"), "no blocking: well under a microsecond");
    }

    @Test
    void lipcCallsAndRepliesBetweenThreadsOfOneSpaceByLocalIds() {
        long[] id = new long[2];
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.waitLocal();
                long client = l4.from();
                rec.put("server saw", client);
                l4.loadMsg(0x66, l4.mr(1) + 1);
                l4.lreplyWait(client);                // Lipc(to, anylocalthread, zero/never)
                rec.put("server next", Outcome.of(l4));
            });
            id[1] = root.local(l4 -> {
                long server = l4.localIdOf(id[0]);
                rec.put("server local", server);
                rec.put("client local", l4.myLocalId());
                l4.loadMsg(0x65, 1);
                l4.lcall(server);
                rec.put("client", Outcome.of(l4));
                rec.put("client word", l4.mr(1));
                l4.loadMsg(0x67);
                l4.lipc(server, ThreadId.NIL, Timeout.NEVER_NEVER);
            });
        });
        assertEquals(rec.get("client local"), rec.get("server saw"));
        Outcome c = outcome("client");
        assertTrue(c.ok(), c::toString);
        assertEquals(0x66, c.label());
        assertEquals(2L, rec.get("client word"));
        assertEquals(rec.get("server local"), c.from());
        assertEquals(0x67, outcome("server next").label());
        assertEquals(rec.get("client local"), outcome("server next").from());
    }
}
