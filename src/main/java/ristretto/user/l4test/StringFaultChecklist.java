package ristretto.user.l4test;

import java.util.ArrayList;
import java.util.List;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.Timeout;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Message;
import ristretto.user.Sigma0Client;
import ristretto.user.StringBuffers;
import ristretto.user.Threads;
import ristretto.user.l4test.StringPairs.Action;

/**
 * l4test's "String copy IPC ... (with pagefaults)" (§16.4), run by a root task: per row a
 * receiver t1 and a sender t2, paged by the root, copy one two-page string between two-page
 * buffers in fresh memory. As in l4test, t1 is in the root's space and t2 in a new one, but for
 * the last row, where it is the other way round. Before the transfer each thread flushes the
 * pages the row lists from its own space, so the copy faults on them: the sender's faults are its
 * own page-fault IPCs, the receiver's are tunneled to its pager (IP all ones, access write). The
 * root serves the faults, blocks the first one (the xfer timeouts end the transfer) or has an
 * aborter cancel the victim's IPC — from the victim's space, as ExchangeRegisters reaches only
 * threads of the caller's. Each row checks both ErrorCodes (error, phase, offset), every byte of
 * the receive buffer, the receiver's MR1 and t, and which pages faulted during the transfer.
 */
public final class StringFaultChecklist {
    private static final int PAGE = 4096, LENGTH = 2 * PAGE;
    private static final long LABEL = 0x5F;
    /** Pages a row flushes before the transfer. */
    static final int SENDER_0 = 1, SENDER_1 = 2, RECEIVER_0 = 4, RECEIVER_1 = 8;
    private static final int NEVER = Timeout.NEVER, ZERO = Timeout.ZERO, SECOND = Timeout.period(1_000_000),
            SECONDS_25 = Timeout.period(25_000_000), SECONDS_30 = Timeout.period(30_000_000);

    /**
     * One row of §16.4: the receiver's receive and the sender's send xfer timeouts, the pages
     * flushed, what the pager does with the first fault, the errors expected on the receiver's
     * and the sender's side (0: none) and the cut; t1 is in the root's space but for an abort of
     * the receiver, where t2 is.
     */
    record Row(String name, int rcvXfer, int sndXfer, int flushed, Action action, int receiverError, int senderError, long cut) {
        StringPairs.Spaces spaces() {
            return action == Action.ABORT_RECEIVER ? StringPairs.Spaces.SENDER_IN_ROOT : StringPairs.Spaces.RECEIVER_IN_ROOT;
        }

        boolean zero() { return rcvXfer == ZERO || sndXfer == ZERO; }

        /** The pages that fault during the transfer: the flushed ones, none if an xfer timeout is zero. */
        List<String> faults(long sendBuffer, long receiveBuffer) {
            List<String> pages = new ArrayList<>();
            if (zero()) return pages;
            for (int bit = 0; bit < 4; bit++)
                if ((flushed & (1 << bit)) != 0)
                    pages.add((bit < 2 ? "sender 0x" + Long.toHexString(sendBuffer + (long) bit * PAGE)
                            : "receiver 0x" + Long.toHexString(receiveBuffer + (long) (bit - 2) * PAGE)));
            return pages;
        }
    }

    static final List<Row> ROWS = List.of(
            new Row("Simple string transfer (no page faults)", NEVER, NEVER, 0, Action.SERVE, 0, 0, LENGTH),
            new Row("Single sender pagefault", NEVER, NEVER, SENDER_0, Action.SERVE, 0, 0, LENGTH),
            new Row("Single receiver pagefault", NEVER, NEVER, RECEIVER_0, Action.SERVE, 0, 0, LENGTH),
            new Row("Multiple sender and receiver pagefaults", NEVER, NEVER, SENDER_0 | SENDER_1 | RECEIVER_0 | RECEIVER_1,
                    Action.SERVE, 0, 0, LENGTH),
            new Row("Xfer timeouts (no timeout)", SECONDS_30, SECONDS_25, SENDER_1, Action.SERVE, 0, 0, LENGTH),
            new Row("Zero xfer timeouts", ZERO, ZERO, RECEIVER_1, Action.BLOCK,
                    IpcError.XFER_TIMEOUT_PARTNER, IpcError.XFER_TIMEOUT_CURRENT, PAGE),
            new Row("Sender xfer timeout", SECONDS_30, SECOND, SENDER_1, Action.BLOCK,
                    IpcError.XFER_TIMEOUT_PARTNER, IpcError.XFER_TIMEOUT_CURRENT, PAGE),
            new Row("Receiver xfer timeout", SECOND, SECONDS_30, SENDER_1, Action.BLOCK,
                    IpcError.XFER_TIMEOUT_CURRENT, IpcError.XFER_TIMEOUT_PARTNER, PAGE),
            new Row("Sender abort", NEVER, NEVER, SENDER_1, Action.ABORT_SENDER, IpcError.ABORTED, IpcError.ABORTED, PAGE),
            new Row("Receiver abort", NEVER, NEVER, RECEIVER_1, Action.ABORT_RECEIVER, IpcError.ABORTED, IpcError.ABORTED, PAGE));

    /** The names of the checks, in the order {@link #run} makes them (l4test's print_result names). */
    public static final List<String> NAMES = ROWS.stream().map(Row::name).toList();

    private long receiver, sender, aborter;

    /** Registers the thread bodies in the code image. */
    public void link(Linker l) {
        receiver = l.entry("l4test.string-fault-receiver", l4 -> {
            StringPairs.Setup s = StringPairs.Setup.receiver(l4, LENGTH);
            Row row = ROWS.get(s.row());
            long mine = s.receiveBuffer();
            flush(l4, mine, row.flushed >>> 2);
            l4.setXferTimeouts(Timeout.timeouts(ZERO, row.rcvXfer));  // the send part is not this side's
            new StringBuffers().buffer(mine, LENGTH).accept(l4);
            StringPairs.receiveAndReport(l4, s.partner(), mine, LENGTH, row.cut, StringFaultChecklist::pattern);
        });
        sender = l.entry("l4test.string-fault-sender", l4 -> {
            StringPairs.Setup s = StringPairs.Setup.sender(l4, LENGTH, StringFaultChecklist::pattern);
            Row row = ROWS.get(s.row());
            long mine = s.sendBuffer();
            flush(l4, mine, row.flushed & 3);
            l4.setXferTimeouts(Timeout.timeouts(row.sndXfer, ZERO));  // the receive part is not this side's
            StringPairs.sendAndReport(l4, s.partner(), message(mine));
        });
        aborter = StringPairs.linkAborter(l);
    }

    /** The string's i-th byte: a pattern that differs between its pages. */
    private static int pattern(int i) { return i ^ (i >>> 8); }

    private static Message message(long buffer) { return new Message(LABEL).string(buffer, LENGTH); }

    /** Flushes page 0 (bit 0 of {@code pages}) and page 1 (bit 1) of a buffer from the caller's space. */
    private static void flush(L4 l4, long buffer, int pages) {
        for (int p = 0; p < 2; p++) if ((pages & (1 << p)) != 0) l4.flush(Fpage.log2(buffer + (long) p * PAGE, 12, Fpage.RWX));
    }

    /** Runs every row from the root task, recording into {@code checks}. */
    public void run(L4 l4, Checks checks) {
        long memory = Fpage.address(Sigma0Client.getAny(l4, 14));      // two pages for each buffer
        StringPairs pairs = new StringPairs(l4, new Threads(l4, 192), memory, 2 * LENGTH, aborter);
        long sendBuffer = memory, receiveBuffer = memory + LENGTH;
        long header = message(sendBuffer).typedWord(0);
        for (int i = 0; i < ROWS.size(); i++) {
            Row row = ROWS.get(i);
            StringPairs.Outcome o = pairs.run(row.spaces(), receiver, sender, row.action, i, sendBuffer, receiveBuffer);
            long[] r = o.receiver();
            List<String> faults = o.faults().stream().map(StringPairs.TransferFault::toString).sorted().toList();
            boolean tunneled = o.faults().stream().filter(StringPairs.TransferFault::receiver)
                    .allMatch(f -> f.ip() == -1L && (f.access() & Fpage.W) != 0);
            boolean ok = StringPairs.errorIs(r[0], row.receiverError, IpcError.PHASE_RECEIVE, row.cut)
                    && StringPairs.errorIs(o.sender()[0], row.senderError, IpcError.PHASE_SEND, row.cut)
                    && r[2] == header && r[3] == -1 && r[1] == 2
                    && faults.equals(row.faults(sendBuffer, receiveBuffer).stream().sorted().toList()) && tunneled
                    && (row.action != Action.ABORT_SENDER && row.action != Action.ABORT_RECEIVER || o.aborter()[0] != -1);
            checks.check(row.name, ok, "receiver " + StringPairs.describe(r[0]) + ", sender " + StringPairs.describe(o.sender()[0])
                    + ", t " + r[1] + ", MR1 0x" + Long.toHexString(r[2]) + (r[3] == -1 ? "" : ", byte " + r[3] + " wrong")
                    + ", faults " + faults + (tunneled ? "" : " (a receiver fault not tunneled as a write)"));
        }
    }
}
