package ristretto.user.l4test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import ristretto.abi.ExRegs;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.UserCpu;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Message;
import ristretto.user.Pager;
import ristretto.user.Threads;

/**
 * l4test's {@code setup_ipc_threads} and pager for the string checklists (§16.1, §16.3, §16.4):
 * the root task creates a receiver t1 and a sender t2 — in two new spaces, or one of them in its
 * own space — hands each its partner and parameters in a set-up message, and pages both from its
 * own memory: a fault of a thread in another space maps the root's page at the fault address, a
 * fault of one in the root's space is answered by touching the page and an empty reply. Once
 * both have said they are ready, the transfer starts and its faults are recorded; the first of
 * them may be blocked (never answered) or answered by an aborter in the victim's space, which
 * cancels the victim's IPC with ExchangeRegisters. Each thread ends with a result message, then
 * waits to be deleted.
 */
final class StringPairs {
    static final long SETUP = 0x5E7, READY = 0x4EA, GO = 0x60, DONE = 0xD0E, RESULT = 0x4E5;
    private static final int PAGE = 4096, MINUTE = Timeout.period(60_000_000);

    /** Where t1 and t2 live: both in new spaces (l4test's inter-space pair), or one in the root's space. */
    enum Spaces { NEW, RECEIVER_IN_ROOT, SENDER_IN_ROOT }

    /** What the pager does with the first page fault of the transfer; every other fault is served. */
    enum Action { SERVE, BLOCK, ABORT_SENDER, ABORT_RECEIVER }

    /** A page fault raised during the transfer: by the receiver (tunneled) or the sender, its page, IP and access. */
    record TransferFault(boolean receiver, long page, long ip, int access) {
        @Override public String toString() { return (receiver ? "receiver " : "sender ") + "0x" + Long.toHexString(page); }
    }

    /** What one pair saw: the result words of t1, t2 and the aborter (-1 where none came), the transfer's faults. */
    record Outcome(long[] receiver, long[] sender, long[] aborter, List<TransferFault> faults) {}

    // --- Thread side ---

    /** The set-up message from the pager: its words, MR1 (the partner) first. */
    static long[] setup(L4 l4) {
        long tag = l4.receive(l4.pager());
        long[] words = new long[MsgTag.u(tag)];
        for (int i = 0; i < words.length; i++) words[i] = l4.mr(i + 1);
        return words;
    }

    /** The set-up of t1 and t2: the partner, the row of the checklist, the sender's and the receiver's buffer. */
    record Setup(long partner, int row, long sendBuffer, long receiveBuffer) {
        /** The sender's set-up: its buffer is filled with {@code pattern(0..length-1)}. */
        static Setup sender(L4 l4, int length, IntUnaryOperator pattern) {
            Setup s = receive(l4);
            l4.write(s.sendBuffer, pattern(length, pattern));
            return s;
        }

        /** The receiver's set-up: its buffer is filled with {@code length} bytes of 0xFF. */
        static Setup receiver(L4 l4, int length) {
            Setup s = receive(l4);
            l4.write(s.receiveBuffer, filled(length));
            return s;
        }

        private static Setup receive(L4 l4) {
            long[] s = setup(l4);
            return new Setup(s[0], (int) s[1], s[2], s[3]);
        }
    }

    /** Tells the pager this thread is ready for the transfer, and waits for its go. */
    static void ready(L4 l4) { callPager(l4, READY); }

    /** The receiver tells the pager the transfer is over (later faults are the receiver's own, checking its buffer). */
    static void transferred(L4 l4) { callPager(l4, DONE); }

    private static void callPager(L4 l4, long label) {
        l4.loadMsg(label);
        l4.call(l4.pager());
    }

    /** The result message to the pager. Then the thread waits to be deleted. */
    static void report(L4 l4, long... words) {
        l4.loadMsg(RESULT, words);
        l4.send(l4.pager());
        l4.receive(l4.myGlobalId());
    }

    /**
     * The receiver's transfer: ready, then a receive from {@code sender}; reports the ErrorCode,
     * the tag's t, MR1 and the first wrong byte of its buffer ({@link #firstWrong}).
     */
    static void receiveAndReport(L4 l4, long sender, long buffer, int length, long cut, IntUnaryOperator pattern) {
        ready(l4);
        long tag = l4.receive(sender);
        long code = errorOf(l4, tag), mr1 = l4.mr(1);
        transferred(l4);
        report(l4, code, MsgTag.t(tag), mr1, firstWrong(l4.read(buffer, length), cut, pattern));
    }

    /** The sender's transfer: ready, then {@code message} to {@code receiver}; reports the ErrorCode. */
    static void sendAndReport(L4 l4, long receiver, Message message) {
        ready(l4);
        message.load(l4);
        report(l4, errorOf(l4, l4.send(receiver)));
    }

    /** The ErrorCode of an IPC that returned {@code tag}: 0 if it succeeded. */
    static long errorOf(L4 l4, long tag) { return L4.failed(tag) ? l4.errorCode() : 0; }

    /**
     * The first byte of a receive buffer that is wrong — below {@code cut} it must be {@code
     * pattern(i)}, from {@code cut} on still 0xFF — or -1 if none is.
     */
    static long firstWrong(byte[] got, long cut, IntUnaryOperator pattern) {
        for (int i = 0; i < got.length; i++) if (got[i] != (byte) (i < cut ? pattern.applyAsInt(i) : 0xFF)) return i;
        return -1;
    }

    /** {@code n} bytes of 0xFF: a receive buffer before the transfer. */
    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0xFF);
        return b;
    }

    /** {@code n} bytes of {@code pattern(i)}: a send buffer. */
    private static byte[] pattern(int n, IntUnaryOperator pattern) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) pattern.applyAsInt(i);
        return b;
    }

    /** Links the aborter: told by the pager, it cancels its victim's IPC (r and s) and reports what the victim was doing. */
    static long linkAborter(Linker l) {
        return l.entry("l4test.string-aborter", l4 -> {
            long victim = setup(l4)[0];
            l4.receive(l4.pager());
            l4.exchangeRegisters(victim, ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
            report(l4, l4.reg(UserCpu.R_CONTROL));
        });
    }

    // --- Checks on outcomes ---

    /** Whether an ErrorCode is {@code error} in {@code phase} at {@code offset}, or 0 for no error. */
    static boolean errorIs(long code, int error, int phase, long offset) {
        return error == 0 ? code == 0 : code == IpcError.encode(phase, error, offset);
    }

    /** An ErrorCode as the details of a failed check show it. */
    static String describe(long code) { return code == 0 ? "ok" : code == -1 ? "no result" : IpcError.toString(code); }

    // --- Root side ---

    private final L4 l4;
    private final Threads threads;
    private final long memory, memorySize, aborter;
    /** The thread of the current pair in the root's space, or nil. */
    private long local = ThreadId.NIL;

    /**
     * @param memory the root's memory [{@code memory}, {@code memory + memorySize}) its clients' buffers live in
     * @param aborter the aborter's entry ({@link #linkAborter}), 0 if no row aborts
     */
    StringPairs(L4 l4, Threads threads, long memory, long memorySize, long aborter) {
        this.l4 = l4;
        this.threads = threads;
        this.memory = memory;
        this.memorySize = memorySize;
        this.aborter = aborter;
    }

    /**
     * Runs one pair: t1 at {@code receiverIp} and t2 at {@code senderIp}, placed as {@code
     * spaces} says, each told its partner and {@code params}; the first fault of the transfer gets
     * {@code action}. Deletes them after.
     */
    Outcome run(Spaces spaces, long receiverIp, long senderIp, Action action, long... params) {
        long t1 = spaces == Spaces.RECEIVER_IN_ROOT ? threads.inMySpace(receiverIp, 0) : threads.inNewSpace(receiverIp, 0);
        long t2 = spaces == Spaces.SENDER_IN_ROOT ? threads.inMySpace(senderIp, 0) : threads.inNewSpace(senderIp, 0);
        local = spaces == Spaces.RECEIVER_IN_ROOT ? t1 : spaces == Spaces.SENDER_IN_ROOT ? t2 : ThreadId.NIL;
        long victim = action == Action.ABORT_RECEIVER ? t1 : action == Action.ABORT_SENDER ? t2 : ThreadId.NIL;
        long t3 = victim == ThreadId.NIL ? ThreadId.NIL : threads.inSpaceOf(victim, 1, aborter, 0);
        setup(t1, t2, params);
        setup(t2, t1, params);
        if (t3 != ThreadId.NIL) setup(t3, victim);
        Map<Long, long[]> results = new HashMap<>();
        List<TransferFault> faults = serve(t1, t2, t3, action, results);
        for (long t : new long[] {t3, t2, t1}) if (t != ThreadId.NIL) threads.kill(t);
        return new Outcome(result(results, t1), result(results, t2), result(results, t3), faults);
    }

    private void setup(long t, long partner, long... params) {
        long[] words = new long[params.length + 1];
        words[0] = partner;
        System.arraycopy(params, 0, words, 1, params.length);
        l4.loadMsg(SETUP, words);
        l4.send(t);
    }

    private static long[] result(Map<Long, long[]> results, long t) {
        return results.getOrDefault(t, new long[] {-1, -1, -1, -1});
    }

    /**
     * The pager loop of one pair, until every thread has reported (or a minute passed): serves
     * faults, starts the transfer once both are ready, records the transfer's faults and acts on
     * the first one.
     */
    private List<TransferFault> serve(long t1, long t2, long t3, Action action, Map<Long, long[]> results) {
        List<TransferFault> faults = new ArrayList<>();
        int ready = 0, expected = t3 == ThreadId.NIL ? 2 : 3;
        boolean over = false;
        while (results.size() < expected) {
            long tag = l4.waitAny(MINUTE);
            if (L4.failed(tag)) break;
            long from = ThreadId.isLocal(l4.from()) ? l4.globalIdOf(l4.from()) : l4.from();   // a thread of the root's space
            if (Pager.isPageFault(tag)) {
                boolean during = ready == 2 && !over, first = during && faults.isEmpty();
                if (during) faults.add(new TransferFault(from == t1, l4.mr(1) & -PAGE, l4.mr(2), Pager.access(tag)));
                if (first && action == Action.BLOCK) continue;
                if (first && action != Action.SERVE) { l4.loadMsg(GO); l4.send(t3); continue; }
                mapBack(from, l4.mr(1));
            } else if (MsgTag.label(tag) == READY && ++ready == 2) {
                for (long t : new long[] {t1, t2}) { l4.loadMsg(GO); l4.reply(t); }
            } else if (MsgTag.label(tag) == DONE) {
                over = true;
                l4.loadMsg(GO);
                l4.reply(from);
            } else if (MsgTag.label(tag) == RESULT) {
                long[] words = new long[MsgTag.u(tag)];
                for (int i = 0; i < words.length; i++) words[i] = l4.mr(i + 1);
                results.put(from, words);
            }
        }
        return faults;
    }

    /**
     * Answers a fault in the root's memory as l4test's pager does: the root touches the page (its
     * own pager maps it back if it was flushed here), then maps it at the fault address to a
     * client in another space, or replies empty to one in its own space. Others get no reply.
     */
    private void mapBack(long client, long address) {
        if (address < memory || address >= memory + memorySize) return;
        long page = address & -PAGE;
        l4.store(page, l4.load(page));                     // mapped writable here before it is mapped on
        if (client == local) l4.loadMsg(0);
        else l4.loadMapItem(Fpage.log2(page, 12, Fpage.RWX), page);
        l4.reply(client);
    }
}
