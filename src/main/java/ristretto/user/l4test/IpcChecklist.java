package ristretto.user.l4test;

import ristretto.abi.ExRegs;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Threads;

/**
 * The untyped-IPC checks of l4test's "Simple IPC" menu (§16.2), run by a root task. Each check
 * creates a receiver t1 and a sender t2 (pair A: two new spaces; pair B: the root's own space),
 * hands them their partner's ID and a parameter in a set-up message, lets them run, and
 * collects one result message from each. "Pagefault cancelled" arrives with the memory issue.
 */
public final class IpcChecklist {
    static final long SETUP = 0x5E7, RESULT = 0x4E5;
    private static final int ONE_SECOND = Timeout.period(1_000_000), FIVE_SECONDS = Timeout.period(5_000_000);

    private long sendTransfer, replyWaitTransfer, blockSend, blockReceive, timedSend, timedReceive,
            sendToLocal, receiveFrom, sendOnce, sleepCancel, callOnce, receiveCancelThenSleep, waitFrom;

    /** Registers the thread bodies in the code image. */
    public void link(Linker l) {
        sendTransfer = l.entry("l4test.send-transfer", l4 -> {
            long[] s = setup(l4);
            for (int n = 0; n < 64; n++) {
                for (int i = 1; i <= n; i++) l4.setMr(i, i);
                l4.setMr(0, MsgTag.make(0xF00F, n, 0));
                if (L4.failed(l4.send(s[0]))) { report(l4, 1, n); return; }
            }
            report(l4, 0, 0);
        });
        replyWaitTransfer = l.entry("l4test.replywait-transfer", l4 -> {   // t2: answers each call
            long[] s = setup(l4);
            long t1 = s[0];
            l4.receive(t1);
            for (int n = 0; n < 64; n++) {
                for (int i = 1; i <= n; i++) l4.setMr(i, i);
                l4.setMr(0, MsgTag.make(0xF00D, n, 0));
                if (n == 63) { l4.send(t1); break; }
                if (L4.failed(l4.replyWait(t1))) { report(l4, 1, n); return; }
            }
            report(l4, 0, 0);
        });
        receiveFrom = l.entry("l4test.receive-check", l4 -> {      // t1 of the transfer checks
            long[] s = setup(l4);
            long peer = s[0], label = s[1], mode = s[2];
            long bad = 0, first = -1;
            if (mode == 1) l4.call(peer);                       // ReplyWait transfer: t1 starts with a Call
            for (int n = 0; n < 64; n++) {
                long tag;
                if (mode == 1) {
                    tag = l4.mr(0);
                } else {
                    for (int i = 1; i < 64; i++) l4.setMr(i, 0);
                    tag = l4.receive(peer);
                }
                boolean ok = !L4.failed(tag) && MsgTag.label(tag) == label && MsgTag.u(tag) == n;
                for (int i = 1; ok && i <= n; i++) ok = l4.mr(i) == i;
                if (!ok) { bad++; if (first < 0) first = n; }
                if (mode == 1 && n < 63) {
                    for (int i = 1; i < 64; i++) l4.setMr(i, 0);
                    l4.setMr(0, 0);
                    tag = l4.replyWait(peer);
                    // the reply-wait delivers the next message into MR0..
                }
            }
            report(l4, bad, first);
        });
        blockSend = l.entry("l4test.block-send", l4 -> {       // blocks sending to s[0] until released
            long[] s = setup(l4);
            l4.loadMsg(0);
            l4.send(s[0]);
            report(l4, l4.ipcFailed() ? 1 : 0, 0);
        });
        blockReceive = l.entry("l4test.block-receive", l4 -> {
            long[] s = setup(l4);
            l4.receive(s[0]);
            report(l4, l4.ipcFailed() ? 1 : 0, 0);
        });
        timedSend = l.entry("l4test.timed-send", l4 -> {
            long[] s = setup(l4);
            l4.loadMsg(0);
            long t0 = l4.systemClock();
            long tag = l4.send(s[0], ONE_SECOND);
            long elapsed = l4.systemClock() - t0;
            report(l4, l4.errorCode(), l4.ipcFailed() ? 1 : 0, elapsed, tag);
        });
        timedReceive = l.entry("l4test.timed-receive", l4 -> {
            long[] s = setup(l4);
            long t0 = l4.systemClock();
            long tag = l4.receive(s[0], ONE_SECOND);
            long elapsed = l4.systemClock() - t0;
            report(l4, l4.errorCode(), l4.ipcFailed() ? 1 : 0, elapsed, tag);
        });
        sendToLocal = l.entry("l4test.send-local", l4 -> {        // s[0] is a local ID
            long[] s = setup(l4);
            l4.loadMsg(0);
            l4.send(s[0]);
            report(l4, l4.ipcFailed() ? 1 : 0, 0);
        });
        sendOnce = l.entry("l4test.send-once", l4 -> {
            long[] s = setup(l4);
            l4.loadMsg(0);
            long tag = l4.send(s[0]);
            report(l4, l4.errorCode(), l4.ipcFailed() ? 1 : 0, 0, tag);
        });
        callOnce = l.entry("l4test.call-once", l4 -> {
            long[] s = setup(l4);
            l4.loadMsg(0);
            long tag = l4.call(s[0]);
            report(l4, l4.errorCode(), l4.ipcFailed() ? 1 : 0, 0, tag);
        });
        sleepCancel = l.entry("l4test.sleep-cancel", l4 -> {     // sleeps 1 s, then cancels s[0]'s IPC
            long[] s = setup(l4);
            l4.sleep(ONE_SECOND);
            l4.exchangeRegisters(s[0], ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
            report(l4, l4.reg(ristretto.abi.UserCpu.R_CONTROL), 0);   // the old control: what s[0] was doing
        });
        receiveCancelThenSleep = l.entry("l4test.receive-then-cancel", l4 -> {
            long[] s = setup(l4);
            l4.receive(s[0]);
            l4.sleep(ONE_SECOND);
            l4.exchangeRegisters(s[0], ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
            report(l4, l4.reg(ristretto.abi.UserCpu.R_CONTROL), 0);
        });
        waitFrom = l.entry("l4test.wait-from", l4 -> {
            setup(l4);
            l4.waitAny(FIVE_SECONDS);
            report(l4, l4.from(), l4.ipcFailed() ? 1 : 0);
        });
    }

    /** The set-up message from the pager: MR1.. are the parameters. */
    private static long[] setup(L4 l4) {
        l4.receive(l4.pager());
        return new long[] {l4.mr(1), l4.mr(2), l4.mr(3)};
    }

    /** The result message to the pager: a few words. Then the thread waits to be deleted. */
    private static void report(L4 l4, long... words) {
        l4.loadMsg(RESULT, words);
        l4.send(l4.pager());
        l4.receive(l4.myGlobalId());
    }

    /** The names of the checks, in the order {@link #run} makes them (l4test's print_result names). */
    public static final java.util.List<String> NAMES = java.util.List.of("From parameter (global)", "Send Message transfer",
            "ReplyWait Message transfer", "Send timeout", "Receive timeout", "Local destination Id", "Send cancelled",
            "Receive cancelled", "From parameter (local)");

    /** Runs every check from the root task, recording into {@code checks}. */
    public void run(L4 l4, Checks checks) {
        Runner r = new Runner(l4, new Threads(l4, 64));
        // Pair A: two new spaces.
        Pair p = r.pair(true, waitFrom, sendOnce, false, NONE, 0, 0, OTHER);
        checks.check("From parameter (global)", p.a[1] == 0 && p.a[0] == p.t2, "from " + ThreadId.toString(p.a[0]));
        // Pair B: the root's own space.
        p = r.pair(false, receiveFrom, sendTransfer, false, OTHER, 0xF00F, 0, OTHER);
        checks.check("Send Message transfer", p.a[0] == 0 && p.b[0] == 0, "bad " + p.a[0] + " first at " + p.a[1]);
        p = r.pair(false, receiveFrom, replyWaitTransfer, true, OTHER, 0xF00D, 1, OTHER);
        checks.check("ReplyWait Message transfer", p.a[0] == 0 && p.b[0] == 0, "bad " + p.a[0] + " first at " + p.a[1]);
        p = r.pair(false, timedSend, blockSend, true, OTHER, 0, 0, OTHER);
        checks.check("Send timeout", failedWith(p.a, IpcError.PHASE_SEND, IpcError.TIMEOUT) && aboutOneSecond(p.a[2])
                && p.a[3] == MsgTag.FLAG_ERROR, IpcError.toString(p.a[0]) + " after " + p.a[2] + " µs, " + MsgTag.toString(p.a[3]));
        p = r.pair(false, timedReceive, blockReceive, true, OTHER, 0, 0, OTHER);
        checks.check("Receive timeout", failedWith(p.a, IpcError.PHASE_RECEIVE, IpcError.TIMEOUT) && aboutOneSecond(p.a[2])
                && p.a[3] == MsgTag.ERROR_TAG, IpcError.toString(p.a[0]) + " after " + p.a[2] + " µs, " + MsgTag.toString(p.a[3]));
        p = r.pair(false, timedReceive, sendToLocal, true, OTHER, 0, 0, OTHER_LOCAL);
        checks.check("Local destination Id", p.a[1] == 0 && p.b[0] == 0, IpcError.toString(p.a[0]));
        p = r.pair(false, sendOnce, sleepCancel, false, OTHER, 0, 0, OTHER);
        checks.check("Send cancelled", failedWith(p.a, IpcError.PHASE_SEND, IpcError.CANCELED) && p.b[0] == ExRegs.WAS_SENDING,
                IpcError.toString(p.a[0]) + ", ExchangeRegisters saw control " + p.b[0]);
        p = r.pair(false, callOnce, receiveCancelThenSleep, true, OTHER, 0, 0, OTHER);
        checks.check("Receive cancelled", failedWith(p.a, IpcError.PHASE_RECEIVE, IpcError.CANCELED) && p.a[3] == MsgTag.ERROR_TAG
                && p.b[0] == ExRegs.WAS_RECEIVING, IpcError.toString(p.a[0]) + ", ExchangeRegisters saw control " + p.b[0]);
        p = r.pair(false, waitFrom, sendOnce, false, NONE, 0, 0, OTHER);
        checks.check("From parameter (local)", p.a[1] == 0 && p.a[0] == p.t2Local,
                "from " + ThreadId.toString(p.a[0]) + ", expected " + ThreadId.toString(p.t2Local));
    }

    /**
     * A timeout of one second took one second: exactly on the virtual clock, and within a little
     * more on the real one.
     */
    private static boolean aboutOneSecond(long elapsedMicros) {
        long second = Timeout.periodMicros(ONE_SECOND);         // 976 · 2^10 µs: the encoding rounds
        return elapsedMicros >= second && elapsedMicros < second + 100_000;
    }

    /** A result of the form (ErrorCode, failed): the IPC failed in this phase with this error. */
    private static boolean failedWith(long[] result, int phase, int error) {
        return result[1] == 1 && IpcError.phase(result[0]) == phase && IpcError.error(result[0]) == error;
    }

    /** What a thread's set-up message names as its partner. */
    private static final int NONE = 0, OTHER = 1, OTHER_LOCAL = 2;

    /** The outcome of one check: the two threads and their result words. */
    private record Pair(long t1, long t2, long t2Local, long[] a, long[] b) {}

    /** The root task's side: set-up messages out, result messages in, deletion. */
    private final class Runner {
        final L4 l4;
        final Threads threads;

        Runner(L4 l4, Threads threads) {
            this.l4 = l4;
            this.threads = threads;
        }

        void setup(long t, long a, long b, long c) {
            l4.loadMsg(SETUP, a, b, c);
            l4.send(t);
        }

        long[] result(long t) {
            long tag = l4.receive(t, Timeout.period(60_000_000));
            long[] r = new long[4];
            java.util.Arrays.fill(r, -1);
            if (L4.failed(tag) || MsgTag.label(tag) != RESULT) return r;
            for (int i = 0; i < MsgTag.u(tag) && i < r.length; i++) r[i] = l4.mr(i + 1);
            return r;
        }

        /**
         * Creates t1 and t2 (in two new spaces or in the root's), sends each its set-up message
         * (its partner, then t1's two parameters) — t2's first if {@code t2First} — collects
         * t1's result, then t2's unless t2 is left blocked by design, and deletes both.
         */
        Pair pair(boolean newSpaces, long ip1, long ip2, boolean t2First, int partner1, long x, long y, int partner2) {
            long t1 = newSpaces ? threads.inNewSpace(ip1, 0) : threads.inMySpace(ip1, 0);
            long t2 = newSpaces ? threads.inNewSpace(ip2, 0) : threads.inMySpace(ip2, 0);
            long t2Local = newSpaces ? ThreadId.NIL : l4.localIdOf(t2);
            if (t2First) setup(t2, partner(partner2, t1), 0, 0);
            setup(t1, partner(partner1, t2), x, y);
            if (!t2First) setup(t2, partner(partner2, t1), 0, 0);
            long[] a = result(t1);
            long[] b = ip2 == blockSend || ip2 == blockReceive ? new long[] {0, 0, 0, 0} : result(t2);
            threads.kill(t1);
            threads.kill(t2);
            return new Pair(t1, t2, t2Local, a, b);
        }

        private long partner(int kind, long other) {
            return kind == NONE ? 0 : kind == OTHER ? other : l4.localIdOf(other);
        }
    }
}
