package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.MEM;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.kernel.mem.MappingDbChecker;
import ristretto.kernel.thread.ThreadState;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.Message;
import ristretto.user.PagePool;
import ristretto.user.Pager;
import ristretto.user.StringBuffers;
import ristretto.user.Threads;

/**
 * Page faults during a string copy (§9.4, seed 003 "Pagefaults during IPC"), run once per copy
 * strategy: a sender and a receiver in two new spaces, both paged by the root task from its own
 * memory. The sender writes a pattern into its buffer and may flush it (its pager maps the same
 * pages back, data intact, when the copy faults on them); the receiver's buffer is untouched, so
 * each of its pages faults, tunneled to its pager. The root decides per fault: serve it, hold it
 * (no reply), or delete a partner.
 */
class StringFaultTest {
    static final long SRC = 0x5000_0000L, DST = 0x6000_0000L;
    static final long POOL = MEM + (4L << 20);
    static final long DONE = 0xD0E;

    enum Act { SERVE, HOLD, DELETE_SENDER, DELETE_RECEIVER }

    /** What the root's pager loop does with the n-th fault (0-based) from a thread ({@code fromSender}) at an address. */
    interface Policy { Act decide(int n, boolean fromSender, long address); }

    record Run(Harness h, List<String> log, List<String> faults, long sender, long receiver) {
        boolean anyLocked() {
            boolean[] locked = {false};
            h.kernel().threads.forEach(t -> locked[0] |= t.state == ThreadState.LOCKED_WAITING || t.state == ThreadState.LOCKED_RUNNING
                    || t.state == ThreadState.WAITING_TUNNELED || t.state == ThreadState.LOCKED_RUNNING_NESTED || t.xfer != null);
            return locked[0];
        }
    }

    /**
     * {@code len} bytes from the sender's buffer at SRC to the receiver's at DST; the sender's
     * pages are flushed after writing when {@code flushSender}; XferTimeouts of the sender (send
     * part) and receiver (receive part) as given.
     */
    static Run run(Kernel.Copy copy, int len, boolean flushSender, int sndXfer, int rcvXfer, Policy policy) {
        return run(Harness.testOptions().withCopy(copy), len, flushSender, sndXfer, rcvXfer, policy);
    }

    static Run run(Kernel.Options options, int len, boolean flushSender, int sndXfer, int rcvXfer, Policy policy) {
        Scenario s = new Scenario();
        List<String> faults = new ArrayList<>();
        long[] ids = new long[2];
        s.entry("receiver", l4 -> {
            l4.setXferTimeouts(rcvXfer & 0xFFFF);
            new StringBuffers().buffer(DST, len).accept(l4);
            long tag = l4.receive(ids[0]);
            if (L4.failed(tag)) s.log.add("receiver: " + IpcError.toString(l4.errorCode()));
            else s.log.add("receiver: t=" + MsgTag.t(tag) + " " + verify(l4, len));
            l4.loadMsg(DONE);
            l4.send(l4.pager());
        });
        s.entry("sender", l4 -> {
            l4.setXferTimeouts((long) (sndXfer & 0xFFFF) << 16);
            byte[] b = new byte[len];
            for (int i = 0; i < len; i++) b[i] = pattern(i);
            l4.write(SRC, b);
            if (flushSender) l4.flush(Fpage.log2(SRC, log2Pages(len), Fpage.RWX));
            l4.loadMsg(0);
            l4.call(l4.pager());                               // start: wait until the receiver is receiving
            new Message(9).string(SRC, len).load(l4);
            long tag = l4.send(ids[1]);
            s.log.add(L4.failed(tag) ? "sender: " + IpcError.toString(l4.errorCode()) : "sender: ok");
            l4.loadMsg(DONE);
            l4.send(l4.pager());
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            ids[1] = threads.inNewSpace(s.ip("receiver"), 0);
            ids[0] = threads.inNewSpace(s.ip("sender"), 0);
            Pager.Policy anonymous = Pager.anonymous(new PagePool(POOL, 12 << 20), Fpage.RWX);
            int done = 0, n = 0;
            long tag = l4.waitAny();
            while (true) {
                long from = l4.from();
                if (Pager.isPageFault(tag)) {
                    boolean fromSender = from == ids[0];
                    long address = l4.mr(1);
                    faults.add((l4.mr(2) == -1L ? "tunneled " : fromSender ? "sender " : "receiver ") + Long.toHexString(address));
                    Act act = policy.decide(n++, fromSender, address);
                    if (act == Act.SERVE) {
                        l4.loadMapItem(anonymous.resolve(l4, from, address, Pager.access(tag)), address);
                        tag = l4.replyWait(from);
                        continue;
                    }
                    if (act == Act.DELETE_SENDER) threads.kill(ids[0]);
                    if (act == Act.DELETE_RECEIVER) threads.kill(ids[1]);
                } else if (MsgTag.label(tag) == DONE) {
                    if (++done == 2) return;
                } else if (!L4.failed(tag)) {
                    l4.loadMsg(0);                             // the sender's start: go once the receiver waits
                    l4.threadSwitch(ids[1]);
                    tag = l4.replyWait(from);
                    continue;
                }
                tag = l4.waitAny();
            }
        });
        Harness h = s.run(options);
        MappingDbChecker.check(h.kernel());
        return new Run(h, s.log, faults, ids[0], ids[1]);
    }

    static byte pattern(int i) { return (byte) (i * 7 + (i >>> 12)); }

    static int log2Pages(int len) { return 64 - Long.numberOfLeadingZeros(Math.max(4096, len) - 1); }

    static String verify(L4 l4, int len) {
        byte[] got = l4.read(DST, len);
        for (int i = 0; i < len; i++) if (got[i] != pattern(i)) return "byte " + i + " differs";
        return "all " + len + " bytes arrived";
    }

    static void assertClean(Run r) {
        assertFalse(r.anyLocked(), "a thread is left locked");
        assertEquals(List.of(), r.h.kernel().invariantViolations());
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void faultsInBothSpacesAreResolvedAndTheCopyResumes(Kernel.Copy copy) {
        Run r = run(copy, 8192, true, Timeout.NEVER, Timeout.NEVER, (n, s, a) -> Act.SERVE);
        assertEquals(List.of("receiver: t=2 all 8192 bytes arrived", "sender: ok"), sorted(r.log), r.h.console.toString());
        assertEquals(List.of("sender 50000000", "sender 50000000", "sender 50001000", "sender 50001000",
                "tunneled 60000000", "tunneled 60001000"), sorted(r.faults),
                "the sender's pages fault when written and again in the copy; each receiver page is tunneled once, IP all ones");
        assertClean(r);
    }

    /** What users run: tracing off, the fast path on. */
    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void faultsAreResolvedAsUsersRunIt(Kernel.Copy copy) {
        Run r = run(Harness.testOptions().withTracing(false).withCopy(copy), 3 * 4096 + 100, true, Timeout.NEVER, Timeout.NEVER,
                (n, s, a) -> Act.SERVE);
        assertEquals(List.of("receiver: t=2 all 12388 bytes arrived", "sender: ok"), sorted(r.log), r.h.console.toString());
        assertTrue(r.h.kernel().trace().events().isEmpty());
        assertClean(r);
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void aFourMiBStringAcrossAThousandFaultingPages(Kernel.Copy copy) {
        int len = 4 << 20;
        Run r = run(copy, len, true, Timeout.NEVER, Timeout.NEVER, (n, s, a) -> Act.SERVE);
        assertEquals(List.of("receiver: t=2 all " + len + " bytes arrived", "sender: ok"), sorted(r.log), r.h.console.toString());
        assertEquals(1024, r.faults.stream().filter(f -> f.startsWith("tunneled")).count(), "every receiver page tunneled once");
        assertClean(r);
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void deletingTheReceiverInItsTunneledFaultAbortsTheSender(Kernel.Copy copy) {
        Run r = run(copy, 8192, false, Timeout.NEVER, Timeout.NEVER,
                (n, s, a) -> !s && a == DST + 4096 ? Act.DELETE_RECEIVER : Act.SERVE);
        assertEquals(List.of("sender: send phase, aborted, offset 4096"), r.log);
        assertClean(r);
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void deletingTheSenderInItsOwnFaultAbortsTheReceiver(Kernel.Copy copy) {
        int[] senderFaults = {0};
        Run r = run(copy, 8192, true, Timeout.NEVER, Timeout.NEVER,
                (n, s, a) -> s && a == SRC + 4096 && senderFaults[0]++ == 1 ? Act.DELETE_SENDER : Act.SERVE);
        assertEquals(List.of("receiver: receive phase, aborted, offset 4096"), r.log);
        assertClean(r);
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void aHeldFaultEndsInTheXferTimeoutTheShorterSideGetsFive(Kernel.Copy copy) {
        int second = Timeout.period(1_000_000), thirty = Timeout.period(30_000_000);
        int[] senderFaults = {0};
        // The sender's second fault at page 1 is held; its send xfer timeout (1 s) is the shorter.
        Run r = run(copy, 8192, true, second, thirty,
                (n, s, a) -> s && a == SRC + 4096 && senderFaults[0]++ == 1 ? Act.HOLD : Act.SERVE);
        assertEquals(List.of("receiver: receive phase, xfer timeout (partner), offset 4096",
                "sender: send phase, xfer timeout (current), offset 4096"), sorted(r.log));
        assertClean(r);
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void zeroXferTimeoutsEndTheTransferAtTheFirstFault(Kernel.Copy copy) {
        Run r = run(copy, 8192, false, Timeout.ZERO, Timeout.ZERO, (n, s, a) -> Act.SERVE);
        // The receiver's first page faults: nothing copied; a tie goes to the sender (5).
        assertEquals(List.of("receiver: receive phase, xfer timeout (partner)", "sender: send phase, xfer timeout (current)"), sorted(r.log));
        assertClean(r);
    }

    static List<String> sorted(List<String> l) { return l.stream().sorted().toList(); }

    /**
     * A client Calls a server (the fast path takes the untyped call) whose reply carries a string
     * into a buffer the client never touched: the client, blocked in the fast path's receive, runs
     * its tunneled faults from there.
     */
    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void aStringReplyToAFastPathCallFaultsInTheCaller(Kernel.Copy copy) {
        Scenario s = new Scenario();
        long[] ids = new long[2];
        s.entry("server", l4 -> {
            byte[] b = new byte[10000];
            for (int i = 0; i < b.length; i++) b[i] = pattern(i);
            l4.write(SRC, b);
            long tag = l4.waitAny();
            for (int round = 0; round < 3; round++) {
                new Message(1).string(SRC, 10000).load(l4);
                tag = l4.replyWait(l4.from());
            }
        });
        s.entry("client", l4 -> {
            new StringBuffers().buffer(DST, 10000).accept(l4);
            for (int round = 0; round < 3; round++) {
                l4.loadMsg(5, round);
                long tag = l4.call(ids[0]);
                s.log.add(L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "t=" + MsgTag.t(tag) + " " + verify(l4, 10000));
            }
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            ids[0] = threads.inNewSpace(s.ip("server"), 0);
            ids[1] = threads.inNewSpace(s.ip("client"), 0);
            Pager.serve(l4, Pager.anonymous(new PagePool(POOL, 1 << 20), Fpage.RWX));
        });
        Harness h = s.run(Harness.testOptions().withTracing(false).withCopy(copy));
        assertEquals(List.of("t=2 all 10000 bytes arrived", "t=2 all 10000 bytes arrived", "t=2 all 10000 bytes arrived"), s.log,
                h.console.toString());
        assertEquals(List.of(), h.kernel().invariantViolations());
    }

    /** ExchangeRegisters aborts a sender held in its own page fault: both sides get "aborted" at the offset (§9.5). */
    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void abortingTheSenderInItsFaultAbortsBoth(Kernel.Copy copy) {
        Scenario s = new Scenario();
        long[] ids = new long[3];
        s.entry("receiver", l4 -> {
            new StringBuffers().buffer(MEM + 0x30_0000, 8192).accept(l4);
            long tag = l4.receive(ids[0]);
            s.log.add("receiver: " + (L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "ok"));
        });
        s.entry("sender", l4 -> {
            long tag = l4.call(l4.pager());                    // its pager says when the receiver waits
            new Message(9).string(SRC, 8192).load(l4);
            tag = l4.send(ids[1]);
            s.log.add("sender: " + (L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "ok"));
        });
        s.entry("aborter", l4 -> {
            l4.receive(l4.pager());
            l4.exchangeRegisters(ids[0], ristretto.abi.ExRegs.CANCEL_SEND | ristretto.abi.ExRegs.CANCEL_RECV, 0, 0, 0, 0, ThreadId.NIL);
            s.log.add("aborter: sender was " + ((l4.reg(ristretto.abi.UserCpu.R_CONTROL) & ristretto.abi.ExRegs.WAS_SENDING) != 0 ? "sending" : "idle"));
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            ids[1] = threads.inMySpace(s.ip("receiver"), 0);
            ids[0] = threads.inNewSpace(s.ip("sender"), 0);
            ids[2] = threads.inSpaceOf(ids[0], 1, s.ip("aborter"), 0);
            Pager.Policy anon = Pager.anonymous(new PagePool(POOL, 1 << 20), Fpage.RWX);
            long tag = l4.receive(ids[0]);                     // the sender's start
            l4.loadMsg(0);
            l4.reply(ids[0]);
            while (true) {
                tag = l4.receive(ids[0]);
                if (!Pager.isPageFault(tag)) return;
                long a = l4.mr(1);
                if (a == SRC + 4096) {                         // hold it, and have the aborter abort the sender
                    l4.loadMsg(0);
                    l4.send(ids[2]);
                    return;
                }
                l4.loadMapItem(anon.resolve(l4, ids[0], a, Pager.access(tag)), a);
                l4.reply(ids[0]);
            }
        });
        Harness h = s.run(Harness.testOptions().withCopy(copy));
        assertEquals(List.of("aborter: sender was sending", "receiver: receive phase, aborted, offset 4096",
                "sender: send phase, aborted, offset 4096"), sorted(s.log), h.console.toString());
        assertEquals(List.of(), h.kernel().invariantViolations());
    }
}
