package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import ristretto.abi.ExRegs;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.system.Harness;
import ristretto.user.Entry;
import ristretto.user.L4;

/**
 * The l4test "Simple IPC" checklist (§16.2), ported from {@code ipc.cc}: pair A in two fresh
 * spaces, pair B in the root task's space; the root task is their pager and starter and deletes
 * each thread when it sends anything but a u = 2 message (setup_ipc_threads, §16.1). Every
 * print_result line becomes a test with the same name; the threads also record the details
 * (error codes, MR0, virtual time) that the tests check beyond l4test's pass/fail flag.
 * "Pagefault cancelled" needs page-fault IPC and belongs to the memory issue.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class IpcChecklistTest {
    static final Map<String, Boolean> results = new LinkedHashMap<>();
    static final Map<String, Object> details = new LinkedHashMap<>();
    static final List<String> killed = new ArrayList<>();
    static Result harness;

    static final long SECOND = Timeout.periodMicros(Timeout.period(1000 * 1000));

    private static void printResult(String name, boolean ok) { results.put(name, ok); }

    @BeforeAll
    static void runL4test() { runL4test(Harness.testOptions()); }

    /** Runs the checklist once with {@code options}; the tests check what it recorded. */
    static void runL4test(Kernel.Options options) {
        results.clear();
        details.clear();
        killed.clear();
        harness = IpcScenario.run(options, root -> {
            long[] a = new long[2];
            setupIpcThreads(root, a, l4 -> simpleIpcT1g(l4, a), l4 -> simpleIpcT2g(l4, a), false);
            long[] b = new long[2];
            setupIpcThreads(root, b, l4 -> simpleIpcT1l(l4, b), l4 -> simpleIpcT2l(l4, b), true);
        });
    }

    /** setup_ipc_threads: create t1 and t2, start both, then serve as their pager until both are gone. */
    static void setupIpcThreads(IpcScenario.Root root, long[] ids, Entry f1, Entry f2, boolean sameSpace) {
        L4 l4 = root.l4;
        ids[0] = sameSpace ? root.local(f1) : root.remote(f1);
        ids[1] = sameSpace ? root.local(f2) : root.remote(f2);
        int threadsToKill = 2;
        while (true) {
            long tag = l4.waitAny();
            long from = l4.from();
            // No page faults happen here: anything that is not a u = 2 message ends the thread.
            if (MsgTag.u(tag) != 2 || MsgTag.t(tag) != 0 || L4.failed(tag)) {
                long victim = ThreadId.isLocal(from) ? l4.globalIdOf(from) : from;
                killed.add(ThreadId.toString(victim) + (root.kill(victim) ? "" : " (kill failed " + l4.errorCode() + ")"));
                if (--threadsToKill == 0) return;
            }
        }
    }

    // --------------------------------------------------------------- pair A: different spaces

    static void simpleIpcT1g(L4 l4, long[] ids) {
        l4.waitAny();
        long from = l4.from();
        details.put("global from", from);
        printResult("From parameter (global)", from == ids[1]);
        l4.setMr(0, 0);
        l4.call(l4.pager());
    }

    static void simpleIpcT2g(L4 l4, long[] ids) {
        l4.setMr(0, 0);
        l4.send(ids[0]);
        l4.setMr(0, 0);
        l4.call(l4.pager());
    }

    // ------------------------------------------------------------------ pair B: same space

    static void simpleIpcT1l(L4 l4, long[] ids) {
        long t2 = ids[1];
        long tag;
        boolean ok = true;
        for (int n = 0; n <= 63; n++) {
            for (int k = 1; k <= 63; k++) l4.setMr(k, 0);
            tag = l4.receive(t2);
            if (L4.failed(tag) || MsgTag.label(tag) != 0xF00F || MsgTag.u(tag) != n) ok = false;
            for (int i = 1; i <= n; i++) if (l4.mr(i) != i) { ok = false; break; }
        }
        printResult("Send Message transfer", ok);

        l4.send(t2);

        ok = true;
        tag = l4.waitAny();
        for (int n = 0; n <= 63; n++) {
            if (L4.failed(tag) || MsgTag.label(tag) != 0xF00D || MsgTag.u(tag) != n) ok = false;
            for (int i = 1; i <= n; i++) if (l4.mr(i) != i) { ok = false; break; }
            for (int k = 1; k <= 63; k++) l4.setMr(k, 0);
            tag = l4.replyWait(t2);
        }
        printResult("ReplyWait Message transfer", ok);

        // Send timeout: t2 is itself blocked sending to t1.
        l4.setMr(0, 0);
        long before = l4.systemClock();
        tag = l4.send(t2, Timeout.period(1000 * 1000));
        details.put("send timeout elapsed", l4.systemClock() - before);
        details.put("send timeout", Outcome.of(l4));
        printResult("Send timeout", L4.failed(tag) && (l4.errorCode() & 1) == 0 && ((l4.errorCode() >> 1) & 7) == 1);
        l4.receive(t2);

        // Receive timeout: t2 is itself blocked receiving from t1.
        before = l4.systemClock();
        tag = l4.receive(t2, Timeout.period(1000 * 1000));
        details.put("receive timeout elapsed", l4.systemClock() - before);
        details.put("receive timeout", Outcome.of(l4));
        printResult("Receive timeout", L4.failed(tag) && (l4.errorCode() & 1) == 1 && ((l4.errorCode() >> 1) & 7) == 1);
        l4.setMr(0, 0);
        l4.send(t2);

        // Local destination Id
        tag = l4.receive(t2, Timeout.period(5 * 1000 * 1000));
        details.put("local destination", Outcome.of(l4));
        printResult("Local destination Id", !L4.failed(tag));
        l4.setMr(0, 0);
        l4.send(t2);

        // Send cancelled
        l4.setMr(0, 0);
        tag = l4.send(t2);
        details.put("send cancelled", Outcome.of(l4));
        printResult("Send cancelled", L4.failed(tag) && (l4.errorCode() & 1) == 0 && ((l4.errorCode() >> 1) & 7) == 3);
        l4.receive(t2);

        // Receive cancelled
        tag = l4.call(t2);
        details.put("receive cancelled", Outcome.of(l4));
        printResult("Receive cancelled", L4.failed(tag) && (l4.errorCode() & 1) == 1 && ((l4.errorCode() >> 1) & 7) == 3);
        l4.setMr(0, 0);
        l4.send(t2);

        // From parameter (local)
        tag = l4.waitAny();
        long from = l4.from();
        details.put("local from", from);
        details.put("expected local from", l4.localIdOf(t2));
        printResult("From parameter (local)", !L4.failed(tag) && from == l4.localIdOf(t2));
        l4.setMr(0, 0);
        l4.send(t2);

        // Get oneself killed
        l4.setMr(0, 0);
        l4.call(l4.pager());
    }

    static void simpleIpcT2l(L4 l4, long[] ids) {
        long t1 = ids[0];
        for (int n = 0; n <= 63; n++) {
            l4.setMr(0, MsgTag.make(0xF00F, n, 0));
            for (int i = 1; i <= n; i++) l4.setMr(i, i);
            l4.send(t1);
        }
        l4.receive(t1);
        for (int n = 0; n <= 63; n++) {
            l4.setMr(0, MsgTag.make(0xF00D, n, 0));
            for (int i = 1; i <= n; i++) l4.setMr(i, i);
            if (n == 63) l4.send(t1);
            else l4.replyWait(t1);
        }
        // Send timeout
        l4.setMr(0, 0);
        l4.send(t1);
        // Receive timeout
        l4.receive(t1);
        // Local destination Id
        l4.setMr(0, 0);
        l4.send(l4.localIdOf(t1));
        l4.receive(t1);
        // Send cancel
        l4.sleep(Timeout.period(1000 * 1000));
        long sendCancelState = l4.exchangeRegisters(t1, ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
        details.put("send cancel exregs control", sendCancelState == ThreadId.NIL ? -1L : l4.reg(0));
        l4.setMr(0, 0);
        l4.send(t1);
        // Receive cancel
        l4.receive(t1);
        l4.sleep(Timeout.period(1000 * 1000));
        long rcvCancelState = l4.exchangeRegisters(t1, ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
        details.put("receive cancel exregs control", rcvCancelState == ThreadId.NIL ? -1L : l4.reg(0));
        l4.receive(t1);
        // From parameter (local)
        l4.setMr(0, 0);
        l4.send(t1);
        l4.receive(t1);
        // Get oneself killed
        l4.setMr(0, 0);
        l4.call(l4.pager());
    }

    // ------------------------------------------------------------------------------ checks

    private static void assertResult(String name) {
        assertEquals(Boolean.TRUE, results.get(name), () -> name + " — results " + results + ", details " + details
                + ", killed " + killed + ", console " + harness.console);
    }

    @Test
    @DisplayName("Send Message transfer")
    void sendMessageTransfer() { assertResult("Send Message transfer"); }

    @Test
    @DisplayName("ReplyWait Message transfer")
    void replyWaitMessageTransfer() { assertResult("ReplyWait Message transfer"); }

    @Test
    @DisplayName("Send timeout")
    void sendTimeout() {
        assertResult("Send timeout");
        Outcome o = (Outcome) details.get("send timeout");
        assertEquals(err(SEND, IpcError.TIMEOUT), o.errorCode(), o::toString);
        // A finite send timeout that expired while blocked returns the original tag with E set.
        assertEquals(MsgTag.FLAG_ERROR, o.tag(), o::toString);
        assertEquals(SECOND, details.get("send timeout elapsed"));
    }

    @Test
    @DisplayName("Receive timeout")
    void receiveTimeout() {
        assertResult("Receive timeout");
        Outcome o = (Outcome) details.get("receive timeout");
        assertEquals(err(RECV, IpcError.TIMEOUT), o.errorCode(), o::toString);
        assertEquals(MsgTag.ERROR_TAG, o.tag(), o::toString);
        assertEquals(SECOND, details.get("receive timeout elapsed"));
    }

    @Test
    @DisplayName("Local destination Id")
    void localDestinationId() { assertResult("Local destination Id"); }

    @Test
    @DisplayName("Send cancelled")
    void sendCancelled() {
        assertResult("Send cancelled");
        assertEquals(err(SEND, IpcError.CANCELED), ((Outcome) details.get("send cancelled")).errorCode());
        assertEquals((long) ExRegs.WAS_SENDING, details.get("send cancel exregs control"));
    }

    @Test
    @DisplayName("Receive cancelled")
    void receiveCancelled() {
        assertResult("Receive cancelled");
        Outcome o = (Outcome) details.get("receive cancelled");
        assertEquals(err(RECV, IpcError.CANCELED), o.errorCode());
        assertEquals(MsgTag.ERROR_TAG, o.tag());
        assertEquals((long) ExRegs.WAS_RECEIVING, details.get("receive cancel exregs control"));
    }

    @Test
    @DisplayName("From parameter (local)")
    void fromParameterLocal() {
        assertResult("From parameter (local)");
        assertTrue(ThreadId.isLocal((Long) details.get("local from")), details::toString);
    }

    @Test
    @DisplayName("From parameter (global)")
    void fromParameterGlobal() {
        assertResult("From parameter (global)");
        assertTrue(ThreadId.isGlobal((Long) details.get("global from")), details::toString);
    }

    @Test
    void everyThreadEndedByAskingItsPagerAndWasDeleted() {
        assertEquals(4, killed.size(), killed::toString);
        assertTrue(killed.stream().noneMatch(s -> s.contains("failed")), killed::toString);
    }
}
