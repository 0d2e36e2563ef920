package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.MEM;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import ristretto.abi.ExRegs;
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
 * Random string transfers (§4.3, §5.2, §6.4, §7, §9.4, §9.5) between a sender and a receiver,
 * both paged by the root task (anonymous memory), once per copy strategy; a third of the cases
 * with tracing off. Each case has:
 * <ul>
 *   <li>a message of 1..3 send strings, each 1..3 items (compound), each item 1..4 substrings of
 *       0..10000 bytes (rarely up to 160 KB, copied in several chunks) at random addresses of
 *       the sender's 64 KiB area (crossing pages, possibly overlapping), whose bytes are a
 *       pattern of their address; sometimes the tag's {@code t} cuts it short (a malformed item
 *       or compound chain, rule 6);</li>
 *   <li>receive buffers (chained with {@code C}) of 1..3 items of 1..4 substrings each, laid out
 *       without overlap in the receiver's area, each sized for its string — exactly, with room
 *       to spare, or too short — sometimes fewer buffers than strings, a {@code C} bit cleared
 *       in the middle of the chain, {@code C} on the last buffer (the zero BRs after it: an empty
 *       buffer, a malformed one, or none), no acceptor {@code s} bit, or one substring of either
 *       side crossing the end of the user area (a clipped copy, rule 7);</li>
 *   <li>per page, whether it translates when the copy starts: the sender's pages are all
 *       written, then some flushed (its pager maps the same data back); the receiver's are
 *       pre-filled with another pattern and mapped, pre-filled and write-protected, pre-filled
 *       and flushed, or never touched (zero when mapped);</li>
 *   <li>sender and receiver in two spaces or in one; the string sent with Send, or as the reply
 *       to the receiver's Call; sometimes a map item among the strings (performed iff the
 *       strings before it were complete; after the transfer, unless the sender was deleted);</li>
 *   <li>XferTimeouts (never, zero, long) and, when the copy faults at all, sometimes one fault
 *       (the sender's own or a tunneled one of the receiver) held by the pager while:
 *       ExchangeRegisters with both cancel bits aborts one partner (from a thread of that
 *       partner's space), or the root deletes one partner, or a finite xfer timeout expires;</li>
 *   <li>or, holding nothing, at a random moment (wherever the transfer is: not begun, in a
 *       fault, preempted between chunks, done) a higher-priority thread aborts a partner,
 *       deletes it, or only reads its registers; or xfer timeouts of a few microseconds;</li>
 *   <li>or (twins) the same case twice at once in four spaces, the pager deferring each fault
 *       until the next one, so that the two transfers take turns on the CPU's copy buffer or
 *       window.</li>
 * </ul>
 * An independent model (the byte stream of send string k fills receive buffer k, the rest of a
 * buffer is skipped, string k+1 needs buffer k's {@code C}; overflow at the bytes copied before
 * it; a fault ends a zero-xfer-timeout transfer at the bytes before the faulting byte; a held
 * fault ends it there, with 7 for an abort or a deletion and 5/6 by the shorter-timeout rule
 * for an xfer timeout) predicts both sides' results. Checked: both error codes (phase, error,
 * offset) and the sender's MR0; on success the received tag and the typed words in the
 * receiver's MRs; every byte in the receiver's area — the bytes copied (as many as the offset
 * says) are the sent ones at their positions, all others are untouched; the faults the pager
 * gets from the copy (each page once, only the model's, all of them up to where the transfer
 * stops; access read for the sender's, write and IP all ones for tunneled ones). Where the
 * moment decides (the timed cases), any of the outcomes that moment can give: the result
 * without it, both sides aborted (or timed out) at one offset no greater than the model's
 * bytes (and no less than the first fault for an xfer timeout), or the target cancelled or
 * deleted before the transfer. Afterwards no thread is locked or in a transfer, and the
 * kernel's invariants and the mapping database hold.
 */
class StringTransferProperties {
    static final long SRC = 0x5000_0000L, DST = 0x6000_0000L;
    static final int SRC_AREA = 64 << 10, PAGE = 4096;
    static final long POOL = MEM + (4L << 20);
    static final long VA_LIMIT = ristretto.machine.PageTable.VA_LIMIT;
    static final long START = 0x57A, DONE = 0xD0E;
    static final int LONG_XFER = Timeout.period(60_000_000);
    /** Send and receive timeout with a timed abort: a partner canceled before the transfer is not waited for forever. */
    static final int PARTNER_WAIT = Timeout.period(10_000_000);
    /** Twins: how long the pager waits for another fault before it serves a deferred one. */
    static final int TWIN_WAIT = Timeout.period(50);
    /** The map item: a page of the sender's, filled with a marker, to this address of the receiver's. */
    static final long MAP_SRC = 0x5200_0000L, MAP_DST = 0x6200_0000L;
    static final byte MARKER = 0x3C;

    /** A receiver page when the copy starts: pre-filled and mapped (write-protected), pre-filled and flushed, never touched. */
    enum PageMode { MAPPED, READ_ONLY, FLUSHED, UNTOUCHED }

    /**
     * What happens at the held fault: nothing held, an abort (ExchangeRegisters), a deletion, an
     * xfer timeout. The timed ones hold nothing: a thread at a higher priority wakes {@code
     * delayMicros} after the sender is ready to send and, wherever the transfer is then (not
     * begun, in a fault, preempted between chunks, done), aborts the target (TIMED_ABORT, from
     * the target's space), deletes it (TIMED_DELETE, from the root's space), or only reads its
     * registers (TIMED_POKE: the transfer must go on as if nothing happened). SHORT_XFER: xfer
     * timeouts of a few microseconds, which expire wherever the transfer is then (or never, if
     * it does not fault or is done first).
     */
    enum Action {
        NONE, ABORT, DELETE, TIMEOUT, TIMED_ABORT, TIMED_DELETE, TIMED_POKE, SHORT_XFER;

        boolean timed() { return this == TIMED_ABORT || this == TIMED_DELETE || this == TIMED_POKE; }
    }

    /** One item of a string or a receive buffer: substrings of {@code length} bytes at {@code addrs}. */
    record Item(int length, long[] addrs) {
        @Override public String toString() {
            StringBuilder b = new StringBuilder(length + "@");
            for (int i = 0; i < addrs.length; i++) b.append(i == 0 ? "" : ",").append(Long.toHexString(addrs[i]));
            return b.toString();
        }
    }

    /**
     * A case. {@code cut}: the index of a buffer whose C bit is cleared (-1: none).
     * {@code holdSender}/{@code holdPage}: the held fault (the first fault of that side on that
     * page during the copy), with {@code action}; {@code targetSender}: whom the abort or the
     * deletion hits.
     */
    record Case(long seed, List<List<Item>> send, List<List<Item>> recv, boolean accept, int cut, boolean lastC, boolean[] srcFlushed,
                PageMode[] dstPages, int sndXfer, int rcvXfer, Action action, boolean holdSender, long holdPage,
                boolean targetSender, int delayMicros, boolean sameSpace, boolean viaCall, int cutWords, boolean twin, int mapBefore,
                boolean tracing) {
        /** The typed words the sender's tag announces (its message is cut short by {@code cutWords}). */
        int t() { return typedWordCount(send) - cutWords + (mapBefore >= 0 ? 2 : 0); }
        int dstBytes() { return dstPages.length * PAGE; }

        @Override public String toString() {
            StringBuilder b = new StringBuilder("Case seed=" + seed + (tracing ? "" : " tracing off") + (sameSpace ? " one space" : "") + (viaCall ? " (a reply to the receiver's Call)" : "")
                    + (twin ? " (twice at once: a second pair in spaces of their own)" : ""));
            b.append("\n  send ").append(send).append("\n  recv ").append(recv);
            if (mapBefore >= 0) b.append("\n  a map item before string ").append(mapBefore);
            if (cutWords > 0) b.append("\n  the tag's t cut short by ").append(cutWords).append(" words");
            if (!accept) b.append(" (no s bit)");
            if (cut >= 0) b.append(" (C of buffer ").append(cut).append(" cleared)");
            if (lastC) b.append(" (C on the last buffer; the BRs after it zero)");
            b.append("\n  sender flushed pages:");
            for (int i = 0; i < srcFlushed.length; i++) if (srcFlushed[i]) b.append(' ').append(i);
            b.append("\n  receiver pages:");
            for (int i = 0; i < dstPages.length; i++) b.append(' ').append(i).append('=').append(dstPages[i].name().charAt(0));
            b.append("  (Mapped, Read-only, Flushed, Untouched)");
            b.append("\n  xfer timeouts snd ").append(timeoutName(sndXfer)).append(" rcv ").append(timeoutName(rcvXfer));
            if (action.timed())
                b.append("\n  ").append(action).append(" the ").append(targetSender ? "sender" : "receiver").append(" after ").append(delayMicros).append("us");
            else if (action == Action.SHORT_XFER)
                b.append("\n  short xfer timeouts");
            else if (action != Action.NONE)
                b.append("\n  hold ").append(holdSender ? "sender" : "receiver").append(" page ").append(Long.toHexString(holdPage << 12))
                        .append(", then ").append(action).append(action == Action.TIMEOUT ? "" : targetSender ? " sender" : " receiver");
            return b.toString();
        }
    }

    static String timeoutName(int t) {
        return t == Timeout.NEVER ? "never" : t == Timeout.ZERO ? "zero" : Timeout.periodMicros(t) + "us";
    }

    static byte srcByte(long addr) { long i = addr - SRC; return (byte) (i * 7 + (i >>> 12) + 1); }

    static byte fillByte(long addr) { long i = addr - DST; return (byte) (0xA5 ^ (i * 13) ^ (i >>> 9)); }

    // ------------------------------------------------------------------------- the model

    /** A predicted (or observed) result: ok, or both sides' errors at an offset. */
    record Outcome(boolean ok, int senderError, int receiverError, long offset) {
        static final Outcome OK = new Outcome(true, 0, 0, 0);

        @Override public String toString() {
            return ok ? "ok" : "sender " + IpcError.name(senderError) + ", receiver " + IpcError.name(receiverError) + ", offset " + offset;
        }
    }

    /** A fault the copy meets: at stream position {@code pos}, on the sender's or the receiver's page. */
    record Fault(int pos, boolean sender, long page) {
        @Override public String toString() { return (sender ? "sender " : "receiver ") + Long.toHexString(page << 12) + " at " + pos; }
    }

    /**
     * The independent model: the stream of bytes the transfer would copy (source and destination
     * address per position) up to {@code end}; {@code overflow} whether it stops there with a
     * message overflow; the faults the copy meets on the way, in order.
     */
    static final class Model {
        final long[] src, dst;
        final int end;
        final boolean overflow;
        final List<Fault> faults = new ArrayList<>();

        Model(List<List<Item>> send, List<List<Item>> recv, boolean accept, int cut, boolean lastC, int cutWords, boolean[] srcFlushed,
              PageMode[] dstPages) {
            // A message cut short (t): the strings (and items) in the first t words; an item that
            // does not fit, or a compound chain continuing past t, is malformed (rule 6): its
            // string's bytes before it are copied, then it overflows.
            int tWords = typedWordCount(send) - cutWords, mr = 1, badString = -1;
            List<List<Item>> present = new ArrayList<>();
            for (List<Item> str : send) {
                if (mr > tWords) break;
                List<Item> items = new ArrayList<>();
                for (Item it : str) {
                    if (mr + it.addrs.length > tWords) { badString = present.size(); break; }
                    items.add(it);
                    mr += it.addrs.length + 1;
                }
                present.add(items);
                if (badString >= 0) break;
            }
            send = present;
            int total = 0;
            for (List<Item> s : send) total += bytes(s);
            src = new long[total];
            dst = new long[total];
            int usable = !accept ? 0 : cut >= 0 ? cut + 1 : recv.size();
            // C on the last buffer: the next buffer is read from the (zero) BRs after it — a header
            // of one empty substring, if its address word still fits BR32; malformed if not; none
            // if BR32 was the last one used (rule 3, 6).
            int words = 0;
            for (List<Item> b : recv) for (Item it : b) words += it.addrs.length + 1;
            boolean malformed = false;
            recv = new ArrayList<>(recv);
            if (lastC && usable == recv.size() && words + 1 <= 32) {
                if (words + 2 <= 32) recv.add(List.of(new Item(0, new long[] {0})));
                else malformed = true;
                usable++;
            }
            int p = 0;
            boolean over = false;
            outer:
            for (int k = 0; k < send.size(); k++) {
                if (k >= usable || (malformed && k == usable - 1)) { over = true; break; }
                long[] from = addresses(send.get(k)), to = addresses(recv.get(k));
                for (int i = 0; i < from.length; i++) {
                    if (i >= to.length) { over = true; break outer; }
                    src[p] = from[i];
                    dst[p] = to[i];
                    // A byte outside the user area: the copy is clipped (rule 7), after whatever
                    // the byte on the other side cost (a fault there comes first, or not: "atClip").
                    if (from[i] >= VA_LIMIT || to[i] >= VA_LIMIT) { over = true; clipped = true; break outer; }
                    p++;
                }
                if (k == badString) { over = true; break; }
                completed = k + 1;
                ends.add(p);
            }
            end = p;
            overflow = over;
            Set<Long> seenSrc = new HashSet<>(), seenDst = new HashSet<>();
            for (int i = 0; i < end + (clipped ? 1 : 0); i++) {
                long sp = src[i] >>> 12, dp = dst[i] >>> 12;
                List<Fault> to = i < end ? faults : atClip;
                if (src[i] < VA_LIMIT && srcFaults(sp, srcFlushed) && seenSrc.add(sp)) to.add(new Fault(i, true, sp));
                if (dst[i] < VA_LIMIT && dstFaults(dp, dstPages) && seenDst.add(dp)) to.add(new Fault(i, false, dp));
            }
        }

        boolean clipped;
        /** Strings the transfer completes (without faults ending it), and where each ends in the stream. */
        int completed;
        final List<Integer> ends = new ArrayList<>();

        /** Strings complete when a transfer ended after {@code copied} bytes: the items after them were performed. */
        int completedBy(long copied) {
            int n = 0;
            while (n < completed && ends.get(n) <= copied) n++;
            return n;
        }

        /** A fault the copy may or may not take on the other side at the clipped byte. */
        final List<Fault> atClip = new ArrayList<>();

        /** The sender's pages outside its area were never touched: they fault (and are mapped zero). */
        static boolean srcFaults(long page, boolean[] srcFlushed) {
            long i = page - (SRC >>> 12);
            return i < 0 || i >= srcFlushed.length || srcFlushed[(int) i];
        }

        static boolean dstFaults(long page, PageMode[] dstPages) {
            long i = page - (DST >>> 12);
            return i < 0 || i >= dstPages.length || dstPages[(int) i] != PageMode.MAPPED;
        }

        /** What the sender holds at {@code addr}: its pattern in its area, zero elsewhere. */
        static byte srcValue(long addr) { return addr >= SRC && addr < SRC + SRC_AREA ? srcByte(addr) : 0; }

        static int bytes(List<Item> items) {
            int n = 0;
            for (Item it : items) n += it.length * it.addrs.length;
            return n;
        }

        /** The string's (or buffer's) byte addresses in stream order. */
        static long[] addresses(List<Item> items) {
            long[] a = new long[bytes(items)];
            int p = 0;
            for (Item it : items)
                for (long base : it.addrs)
                    for (int i = 0; i < it.length; i++) a[p++] = base + i;
            return a;
        }

        /** The predicted result of case {@code c} (its layout made this model). */
        Outcome expected(Case c) {
            if (c.action != Action.NONE && c.action != Action.SHORT_XFER && !c.action.timed()) {
                int k = held(c).pos;
                return switch (c.action) {
                    case ABORT, DELETE -> new Outcome(false, IpcError.ABORTED, IpcError.ABORTED, k);
                    case TIMEOUT -> xferTimeout(c, k);
                    default -> throw new IllegalStateException();
                };
            }
            if ((c.sndXfer == Timeout.ZERO || c.rcvXfer == Timeout.ZERO) && !faults.isEmpty()) return xferTimeout(c, faults.get(0).pos);
            if (overflow) return new Outcome(false, IpcError.MSG_OVERFLOW, IpcError.MSG_OVERFLOW, end);
            return Outcome.OK;
        }

        Fault held(Case c) {
            for (Fault f : faults) if (f.sender == c.holdSender && f.page == c.holdPage) return f;
            throw new IllegalStateException("no such fault");
        }

        /** §7.1 [P]: the side whose own xfer timeout is the shorter (ties: the sender) gets 5, the other 6. */
        static Outcome xferTimeout(Case c, long offset) {
            boolean senderShorter = micros(c.sndXfer) <= micros(c.rcvXfer);
            return new Outcome(false, senderShorter ? IpcError.XFER_TIMEOUT_CURRENT : IpcError.XFER_TIMEOUT_PARTNER,
                    senderShorter ? IpcError.XFER_TIMEOUT_PARTNER : IpcError.XFER_TIMEOUT_CURRENT, offset);
        }

        static long micros(int t) { return t == Timeout.NEVER ? Long.MAX_VALUE : t == Timeout.ZERO ? 0 : Timeout.periodMicros(t); }

        /** The receiver's area after {@code copied} bytes of the stream arrived. */
        byte[] image(Case c, long copied) {
            byte[] img = new byte[c.dstBytes()];
            for (int pg = 0; pg < c.dstPages.length; pg++)
                if (c.dstPages[pg] != PageMode.UNTOUCHED)
                    for (int i = 0; i < PAGE; i++) img[pg * PAGE + i] = fillByte(DST + pg * PAGE + i);
            for (int p = 0; p < copied && p < end; p++) {
                long at = dst[p] - DST;
                if (at >= 0 && at < img.length) img[(int) at] = srcValue(src[p]);
            }
            return img;
        }
    }

    // ------------------------------------------------------------------------- generation

    static Case generate(long seed) {
        Random r = new Random(seed);
        int strings = 1 + r.nextInt(3);
        List<List<Item>> send = new ArrayList<>();
        for (int k = 0; k < strings; k++) {
            List<Item> items = new ArrayList<>();
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                int subs = 1 + r.nextInt(4), len = sendLength(r);
                long[] a = new long[subs];
                for (int j = 0; j < subs; j++) a[j] = SRC + r.nextInt(Math.max(SRC_AREA - len + 1, SRC_AREA));
                items.add(new Item(len, a));
            }
            send.add(items);
        }

        int buffers = switch (r.nextInt(8)) {
            case 0 -> Math.max(1, strings - 1 - r.nextInt(2));       // fewer buffers than strings
            case 1 -> strings + 1;
            default -> strings;
        };
        List<List<Item>> recv = new ArrayList<>();
        long cursor = DST + r.nextInt(PAGE);
        int budget = 32;                                              // BR1..BR32
        for (int j = 0; j < buffers; j++) {
            int want = j < strings ? Model.bytes(send.get(j)) : r.nextInt(5000);
            int target = switch (r.nextInt(4)) {
                case 0 -> want == 0 ? 0 : r.nextInt(want);             // too short
                case 1 -> want + r.nextInt(3000);                    // room to spare
                default -> want;                                     // (about) exactly
            };
            int mine = budget - 2 * (buffers - j - 1);                // leave two words for each later buffer
            int items = 1 + r.nextInt(3);
            List<int[]> shape = new ArrayList<>();                    // {substrings}
            for (int i = 0; i < items && mine >= 2; i++) {
                int subs = 1 + r.nextInt(Math.min(4, mine - 1));
                shape.add(new int[] {subs});
                mine -= subs + 1;
                budget -= subs + 1;
            }
            // Split the target among the items; the last takes the rest (exactly with one substring).
            int m = shape.size(), given = 0;
            int[] lens = new int[m];
            for (int i = 0; i < m; i++) {
                int subs = shape.get(i)[0];
                if (i < m - 1) {
                    int share = r.nextInt(target - given + 1);
                    lens[i] = share / subs;
                } else {
                    int rest = target - given;
                    lens[i] = (rest + subs - 1) / subs;
                }
                given += lens[i] * subs;
            }
            List<Item> buf = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                long[] a = new long[shape.get(i)[0]];
                for (int s = 0; s < a.length; s++) {
                    a[s] = cursor;
                    cursor += lens[i] + (r.nextInt(3) == 0 ? 0 : r.nextInt(2000));
                }
                buf.add(new Item(lens[i], a));
            }
            recv.add(buf);
        }
        if (r.nextInt(6) == 0) {
            // One substring (of either side) crosses or starts at the end of the user area.
            List<List<Item>> side = r.nextBoolean() ? send : recv;
            List<Item> str = side.get(r.nextInt(side.size()));
            int i = r.nextInt(str.size());
            Item it = str.get(i);
            long[] a = it.addrs.clone();
            a[r.nextInt(a.length)] = VA_LIMIT - r.nextInt(it.length + 1);
            str.set(i, new Item(it.length, a));
        }
        boolean accept = r.nextInt(12) != 0;
        int cut = buffers > 1 && r.nextInt(8) == 0 ? r.nextInt(buffers - 1) : -1;
        boolean lastC = cut < 0 && r.nextInt(10) == 0;

        boolean[] srcFlushed = new boolean[SRC_AREA / PAGE];
        double pf = new double[] {0, 0.3, 0.7, 1}[r.nextInt(4)];
        for (int i = 0; i < srcFlushed.length; i++) srcFlushed[i] = r.nextDouble() < pf;
        PageMode[] dstPages = new PageMode[(int) ((cursor - DST) / PAGE) + 2];
        double pm = new double[] {0, 0.3, 0.7, 1}[r.nextInt(4)];
        for (int i = 0; i < dstPages.length; i++)
            dstPages[i] = r.nextDouble() < pm ? PageMode.MAPPED : PageMode.values()[1 + r.nextInt(3)];

        int cutWords = r.nextInt(8) == 0 ? 1 + r.nextInt(Math.min(4, typedWordCount(send) - 1)) : 0;
        Model model = new Model(send, recv, accept, cut, lastC, cutWords, srcFlushed, dstPages);
        Action action = Action.NONE;
        boolean holdSender = false, targetSender = false;
        long holdPage = 0;
        int snd, rcv;
        if (!model.faults.isEmpty() && !model.clipped) {
            action = switch (r.nextInt(10)) {
                case 0, 1 -> Action.ABORT;
                case 2, 3 -> Action.DELETE;
                case 4, 5 -> Action.TIMEOUT;
                default -> Action.NONE;
            };
        }
        int delay = 0;
        if (r.nextInt(3) == 0) {
            action = switch (r.nextInt(6)) {
                case 0, 1 -> Action.TIMED_ABORT;
                case 2, 3 -> Action.TIMED_DELETE;
                case 4 -> Action.TIMED_POKE;
                default -> Action.SHORT_XFER;
            };
            targetSender = r.nextBoolean();
            // A transfer here takes about a microsecond per 4000 bytes and per three faults.
            int estimate = model.end / 4000 + model.faults.size() / 3 + 1;
            delay = r.nextInt(6) == 0 ? 0 : 1 + r.nextInt(r.nextInt(4) == 0 ? 4 * estimate : estimate);
        } else if (action != Action.NONE) {
            Fault f = model.faults.get(r.nextInt(model.faults.size()));
            holdSender = f.sender;
            holdPage = f.page;
            targetSender = action == Action.ABORT ? (r.nextInt(4) != 0) == holdSender : r.nextBoolean();
        }
        if (action == Action.SHORT_XFER) {
            int estimate = model.end / 4000 + model.faults.size() / 3 + 1;
            int a = Timeout.period(1 + r.nextInt(2 * estimate)), b = r.nextInt(3) == 0 ? a : Timeout.period(1 + r.nextInt(2 * estimate));
            switch (r.nextInt(4)) {
                case 0 -> { snd = a; rcv = r.nextBoolean() ? Timeout.NEVER : LONG_XFER; }
                case 1 -> { snd = r.nextBoolean() ? Timeout.NEVER : LONG_XFER; rcv = a; }
                default -> { snd = a; rcv = b; }
            }
        } else if (action == Action.TIMEOUT) {
            int a = Timeout.period(20_000 + r.nextInt(1_000_000)), b = r.nextInt(3) == 0 ? a : Timeout.period(20_000 + r.nextInt(1_000_000));
            switch (r.nextInt(4)) {
                case 0 -> { snd = a; rcv = Timeout.NEVER; }
                case 1 -> { snd = Timeout.NEVER; rcv = a; }
                default -> { snd = a; rcv = b; }
            }
        } else if (action != Action.NONE) {
            snd = r.nextBoolean() ? Timeout.NEVER : LONG_XFER;
            rcv = r.nextBoolean() ? Timeout.NEVER : LONG_XFER;
        } else if (model.clipped) {
            // (Zero xfer timeouts left out: whether the other side's fault at the clipped byte comes first is the strategy's.)
            snd = r.nextBoolean() ? Timeout.NEVER : LONG_XFER;
            rcv = r.nextBoolean() ? Timeout.NEVER : LONG_XFER;
        } else {
            int[] choice = {Timeout.NEVER, Timeout.NEVER, Timeout.NEVER, LONG_XFER, LONG_XFER, Timeout.ZERO};
            snd = choice[r.nextInt(choice.length)];
            rcv = choice[r.nextInt(choice.length)];
        }
        return new Case(seed, send, recv, accept, cut, lastC, srcFlushed, dstPages, snd, rcv, action, holdSender, holdPage, targetSender,
                delay, r.nextInt(4) == 0, !action.timed() && r.nextInt(4) == 0, cutWords,
                action == Action.NONE && r.nextInt(3) == 0, cutWords == 0 && r.nextInt(5) == 0 ? r.nextInt(strings + 1) : -1,
                r.nextInt(3) != 0);
    }

    static int sendLength(Random r) {
        // Rarely a long one, copied in more than one chunk (StringCopy.CHUNK), past the end of the
        // sender's area (where its pages were never touched: they fault, and read as zero).
        if (r.nextInt(24) == 0) return 10001 + r.nextInt(150_000);
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1, 2 -> 1 + r.nextInt(64);
            case 3, 4, 5 -> 65 + r.nextInt(PAGE - 64);
            default -> PAGE + 1 + r.nextInt(10000 - PAGE);
        };
    }

    @Provide
    Arbitrary<Case> cases() { return Arbitraries.longs().withoutEdgeCases().map(StringTransferProperties::generate); }

    // ------------------------------------------------------------------------- the run

    /** What the run observed. */
    static final class Observed {
        long senderTag, senderCode, receiverTag, receiverCode;
        boolean senderDone, receiverDone;
        long sendMicros;
        long[] receiverMrs;
        /** Whether the map item's page arrived. */
        boolean mapped;
        byte[] image;
        final List<String> faults = new ArrayList<>();
        /** The copy's faults (side and page) in the order the pager got them. */
        final List<Fault> copyFaults = new ArrayList<>();
        final List<String> log = new ArrayList<>();
    }

    /**
     * Runs the case: one pair, or (twin) two pairs at once in four spaces, the same layout at the
     * same addresses, whose transfers interleave at their faults (the copy buffer or window is
     * the CPU's). Answers what each pair observed.
     */
    static Observed[] run(Kernel.Copy copy, Case c) {
        Observed oA = new Observed(), oB = new Observed(), o0 = oA;
        Scenario s = new Scenario();
        long[] ids = new long[5];                                    // sender, receiver, aborter, the twin's sender and receiver
        s.entry("sender", l4 -> {
            l4.setXferTimeouts((long) (c.sndXfer & 0xFFFF) << 16);
            byte[] b = new byte[SRC_AREA];
            for (int i = 0; i < SRC_AREA; i++) b[i] = srcByte(SRC + i);
            l4.write(SRC, b);
            if (c.mapBefore >= 0) {
                byte[] marker = new byte[PAGE];
                Arrays.fill(marker, MARKER);
                l4.write(MAP_SRC, marker);
            }
            for (int pg = 0; pg < c.srcFlushed.length; pg++) if (c.srcFlushed[pg]) l4.flush(Fpage.log2(SRC + (long) pg * PAGE, 12, Fpage.RWX));
            l4.loadMsg(START);
            l4.call(l4.pager());                                   // from now on its faults are the copy's
            boolean second = l4.myGlobalId() == ids[3];
            Observed o = second ? oB : o0;
            long partner = second ? ids[4] : ids[1];
            Message m = new Message(9);
            for (int k = 0; k <= c.send.size(); k++) {
                if (k == c.mapBefore) m.map(Fpage.log2(MAP_SRC, 12, Fpage.RWX), MAP_DST);
                if (k == c.send.size()) break;
                List<Item> str = c.send.get(k);
                for (int i = 0; i < str.size(); i++) {
                    Item it = str.get(i);
                    if (i == 0) m.string(it.length, it.addrs);
                    else m.more(it.length, it.addrs);
                }
            }
            m.load(l4);
            if (c.cutWords > 0) l4.setMr(0, MsgTag.make(9, 0, c.t()));
            long before = l4.systemClock();
            long tag;
            if (c.viaCall) {
                long[] mrs = new long[64];
                for (int i = 0; i < 64; i++) mrs[i] = l4.mr(i);
                l4.receive(partner);                                 // the Call
                for (int i = 0; i < 64; i++) l4.setMr(i, mrs[i]);
                before = l4.systemClock();
                tag = l4.reply(partner);
            } else {
                tag = c.action.timed() ? l4.send(partner, PARTNER_WAIT) : l4.send(partner);
            }
            o.sendMicros = l4.systemClock() - before;
            o.log.add("send took " + o.sendMicros + "us");
            o.senderTag = tag;
            o.senderCode = l4.errorCode();
            o.senderDone = true;
            do l4.loadMsg(DONE);
            while (L4.failed(l4.send(l4.pager())));               // (a timed abort may cancel it)
        });
        s.entry("receiver", l4 -> {
            l4.setXferTimeouts(c.rcvXfer & 0xFFFF);
            for (int pg = 0; pg < c.dstPages.length; pg++) {
                if (c.dstPages[pg] == PageMode.UNTOUCHED) continue;
                byte[] b = new byte[PAGE];
                for (int i = 0; i < PAGE; i++) b[i] = fillByte(DST + (long) pg * PAGE + i);
                l4.write(DST + (long) pg * PAGE, b);
            }
            for (int pg = 0; pg < c.dstPages.length; pg++) {
                if (c.dstPages[pg] == PageMode.FLUSHED) l4.flush(Fpage.log2(DST + (long) pg * PAGE, 12, Fpage.RWX));
                if (c.dstPages[pg] == PageMode.READ_ONLY) l4.flush(Fpage.log2(DST + (long) pg * PAGE, 12, Fpage.W));
            }
            l4.loadMsg(START);
            l4.call(l4.pager());                                   // the sender's ID is known
            boolean second = l4.myGlobalId() == ids[4];
            Observed o = second ? oB : o0;
            long partner = second ? ids[3] : ids[0];
            StringBuffers sb = new StringBuffers();
            for (List<Item> buf : c.recv)
                for (int i = 0; i < buf.size(); i++) {
                    Item it = buf.get(i);
                    if (i == 0) sb.buffer(it.length, it.addrs);
                    else sb.more(it.length, it.addrs);
                }
            sb.accept(l4);
            if (c.cut >= 0) {
                int br = 1;
                for (int j = 0; j < c.cut; j++) for (Item it : c.recv.get(j)) br += it.addrs.length + 1;
                l4.setBr(br, l4.br(br) & ~1L);
            }
            if (c.lastC) {
                int br = 1, last = 1;
                for (List<Item> buf : c.recv) {
                    last = br;
                    for (Item it : buf) br += it.addrs.length + 1;
                }
                l4.setBr(last, l4.br(last) | 1L);
                for (int i = br; i <= 32; i++) l4.setBr(i, 0);
            }
            if (c.mapBefore >= 0) l4.setReceiveWindow(Fpage.COMPLETE);
            if (!c.accept) StringBuffers.refuse(l4);
            long tag;
            if (c.viaCall) {
                l4.loadMsg(0x1234, 1, 2);
                tag = l4.call(partner);
            } else {
                tag = c.action.timed() ? l4.receive(partner, PARTNER_WAIT) : l4.receive(partner);
            }
            o.receiverTag = tag;
            o.receiverCode = l4.errorCode();
            o.receiverMrs = new long[64];
            for (int i = 0; i < 64; i++) o.receiverMrs[i] = l4.mr(i);
            o.receiverDone = true;
            o.image = l4.read(DST, c.dstBytes());
            if (c.mapBefore >= 0) o.mapped = l4.read(MAP_DST, 1)[0] == MARKER;
            do l4.loadMsg(DONE);
            while (L4.failed(l4.send(l4.pager())));               // (a timed abort may cancel it)
        });
        s.entry("aborter", l4 -> {
            l4.receive(l4.pager());
            if (c.delayMicros > 0) l4.sleepMicros(c.delayMicros);
            long victim = c.targetSender ? ids[0] : ids[1];
            if (c.action == Action.TIMED_DELETE) {
                oA.log.add("killer: " + (new Threads(l4).kill(victim) ? "deleted" : "failed") + " at " + l4.systemClock());
                do l4.loadMsg(DONE);
                while (L4.failed(l4.send(l4.pager())));
                return;
            }
            l4.exchangeRegisters(victim, c.action == Action.TIMED_POKE ? 0 : ExRegs.CANCEL_SEND | ExRegs.CANCEL_RECV, 0, 0, 0, 0, ThreadId.NIL);
            long control = l4.reg(ristretto.abi.UserCpu.R_CONTROL);
            oA.log.add("aborter: victim was " + ((control & ExRegs.WAS_SENDING) != 0 ? "sending " : "")
                    + ((control & ExRegs.WAS_RECEIVING) != 0 ? "receiving" : "") + " at " + l4.systemClock());
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            ids[0] = threads.inNewSpace(s.ip("sender"), 0);
            // (In one space: the sender's and the receiver's areas are apart, each faulted in by its own thread.)
            ids[1] = c.sameSpace ? threads.inSpaceOf(ids[0], 1, s.ip("receiver"), 0) : threads.inNewSpace(s.ip("receiver"), 0);
            if (c.action == Action.ABORT || c.action == Action.TIMED_ABORT || c.action == Action.TIMED_POKE)
                ids[2] = threads.inSpaceOf(c.targetSender ? ids[0] : ids[1], c.sameSpace ? 2 : 1, s.ip("aborter"), 0);
            if (c.action == Action.TIMED_DELETE) ids[2] = threads.inMySpace(s.ip("aborter"), 0);
            if (c.action.timed()) l4.setPriority(ids[2], 150);
            if (c.twin) {
                ids[3] = threads.inNewSpace(s.ip("sender"), 0);
                ids[4] = c.sameSpace ? threads.inSpaceOf(ids[3], 1, s.ip("receiver"), 0) : threads.inNewSpace(s.ip("receiver"), 0);
            }
            Pager.Policy anonymous = Pager.anonymous(new PagePool(POOL, 12 << 20), Fpage.RWX);
            // DONE from: both; the survivor of a deletion; the survivor and the killer of a timed one.
            long victim = c.targetSender ? ids[0] : ids[1], survivor = c.targetSender ? ids[1] : ids[0];
            int expected = c.twin ? 4 : c.action == Action.DELETE ? 1 : 2, done = 0;
            boolean held = false;
            boolean[] started = new boolean[2], receiverSetUp = new boolean[2];
            long[] pending = new long[3];                          // twins: a deferred fault (thread, address, access)
            long tag = l4.waitAny();
            while (true) {
                long from = l4.from();
                if (c.twin && L4.failed(tag) && IpcError.error(l4.errorCode()) == IpcError.TIMEOUT) {
                    if (pending[0] != 0) {                         // nothing else came: serve the deferred fault
                        l4.loadMapItem(anonymous.resolve(l4, pending[0], pending[1], (int) pending[2]), pending[1]);
                        l4.reply(pending[0]);
                        pending[0] = 0;
                    }
                } else if (L4.failed(tag)) {
                    // Only when the transfer ended at some moment: the fault the root answers is gone.
                    oA.log.add((c.action.timed() || c.action == Action.SHORT_XFER ? "pager: " : "root: ") + "failed " + IpcError.toString(l4.errorCode()));
                } else if (Pager.isPageFault(tag)) {
                    long address = l4.mr(1);
                    boolean fromSender = from == ids[0] || (c.twin && from == ids[3]);
                    int pair = c.twin && (from == ids[3] || from == ids[4]) ? 1 : 0;
                    Observed o = pair == 1 ? oB : o0;
                    boolean ofCopy = fromSender ? started[pair] : l4.mr(2) == -1L;
                    if (ofCopy) {
                        o.faults.add((fromSender ? "sender " : "receiver ") + Long.toHexString(address));
                        o.copyFaults.add(new Fault(-1, fromSender, address >>> 12));
                        if (Pager.access(tag) != (fromSender ? Fpage.R : Fpage.W))
                            o.log.add("root: access " + Pager.access(tag) + " in the fault at " + Long.toHexString(address));
                    }
                    if (ofCopy && !held && c.action != Action.NONE && fromSender == c.holdSender && address >>> 12 == c.holdPage) {
                        held = true;
                        o.faults.add("(held)");
                        if (c.action == Action.ABORT) {
                            l4.loadMsg(0);
                            l4.send(ids[2]);
                        } else if (c.action == Action.DELETE) {
                            threads.kill(c.targetSender ? ids[0] : ids[1]);
                        }
                        tag = l4.waitAny();
                        continue;
                    }
                    if (c.twin) {
                        // Twins: each fault waits for the next one (of the other pair, as a rule),
                        // so that the two transfers take turns at their faults.
                        if (pending[0] != 0) {
                            long[] q = pending.clone();
                            pending[0] = from; pending[1] = address; pending[2] = Pager.access(tag);
                            l4.loadMapItem(anonymous.resolve(l4, q[0], q[1], (int) q[2]), q[1]);
                            l4.reply(q[0]);
                        } else {
                            pending[0] = from; pending[1] = address; pending[2] = Pager.access(tag);
                        }
                        tag = l4.waitAny(TWIN_WAIT);
                        continue;
                    }
                    l4.loadMapItem(anonymous.resolve(l4, from, address, Pager.access(tag)), address);
                    tag = l4.replyWait(from);
                    continue;
                } else if (MsgTag.label(tag) == START) {
                    // Once both are set up: the receiver goes first (to its receive), then the sender.
                    int pair = c.twin && (from == ids[3] || from == ids[4]) ? 1 : 0;
                    if (from == ids[3 * pair]) started[pair] = true;
                    else receiverSetUp[pair] = true;
                    // A twin waits for both pairs: the receivers go to their receives, then both senders go.
                    boolean go = c.twin ? started[0] && started[1] && receiverSetUp[0] && receiverSetUp[1] : started[0] && receiverSetUp[0];
                    if (go) {
                        for (int q = 0; q < (c.twin ? 2 : 1); q++) {
                            l4.loadMsg(0);
                            l4.reply(ids[1 + 3 * q]);
                            l4.threadSwitch(ids[1 + 3 * q]);
                        }
                        if (c.action.timed()) {
                            l4.loadMsg(0);
                            l4.send(ids[2]);                   // its clock starts now
                        }
                        for (int q = 0; q < (c.twin ? 2 : 1); q++) {
                            l4.loadMsg(0);
                            l4.reply(ids[3 * q]);
                        }
                    }
                } else if (MsgTag.label(tag) == DONE) {
                    if ((c.action != Action.TIMED_DELETE || from != victim) && ++done == expected) return;
                } else {
                    oA.log.add("root: unexpected tag " + Long.toHexString(tag));
                }
                tag = c.twin ? l4.waitAny(TWIN_WAIT) : l4.waitAny();
            }
        });
        Harness h = s.run(Harness.testOptions().withCopy(copy).withTracing(c.tracing));
        MappingDbChecker.check(h.kernel());
        List<String> locked = new ArrayList<>();
        h.kernel().threads.forEach(t -> {
            if (t.state == ThreadState.LOCKED_WAITING || t.state == ThreadState.LOCKED_RUNNING || t.state == ThreadState.WAITING_TUNNELED
                    || t.state == ThreadState.LOCKED_RUNNING_NESTED || t.xfer != null)
                locked.add(ThreadId.toString(t.globalId) + " " + t.state + (t.xfer != null ? " in a transfer" : ""));
        });
        if (!locked.isEmpty()) oA.log.add("LOCKED: " + locked);
        for (String v : h.kernel().invariantViolations()) oA.log.add("INVARIANT: " + v);
        return c.twin ? new Observed[] {oA, oB} : new Observed[] {oA};
    }

    // ------------------------------------------------------------------------- the check

    static void check(Kernel.Copy copy, Case c) {
        Model model = new Model(c.send, c.recv, c.accept, c.cut, c.lastC, c.cutWords, c.srcFlushed, c.dstPages);
        Outcome want = model.expected(c);
        Statistics.label("outcome").collect(want.ok ? "ok" : IpcError.name(want.senderError) + "/" + IpcError.name(want.receiverError)
                + (want.offset == 0 ? " at 0" : ""));
        Statistics.label("action").collect(c.action == Action.NONE || c.action == Action.SHORT_XFER ? c.action.toString()
                : c.action + (c.action == Action.TIMEOUT ? "" : c.targetSender ? " sender" : " receiver")
                        + (c.action.timed() ? "" : c.holdSender ? " in sender's fault" : " in receiver's fault"));
        Statistics.label("layout").collect((c.mapBefore >= 0 ? "map item, " : "") + (c.twin ? "twice at once, " : "") + (c.cutWords > 0 ? "t cut short, " : "") + (c.sameSpace ? "one space, " : "") + (c.viaCall ? "reply to a Call, " : "") + (model.clipped ? "clipped" : "not clipped") + (c.lastC ? ", C on the last buffer" : "")
                + (c.cut >= 0 ? ", C cleared" : "") + (c.accept ? "" : ", no s bit"));
        Statistics.label("copy faults").collect(model.faults.isEmpty() ? "0" : model.faults.size() < 5 ? "1-4" : model.faults.size() < 30 ? "5-29" : "30+");
        Observed[] os;
        try {
            os = run(copy, c);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(copy + " " + c + "\n  expected " + want + "\n  run failed: " + e, e);
        }
        for (int pair = 0; pair < os.length; pair++) checkPair(copy, c, model, want, os[pair], os.length > 1 ? (pair == 0 ? " (first pair)" : " (second pair)") : "");
    }

    static void checkPair(Kernel.Copy copy, Case c, Model model, Outcome want, Observed o, String which) {
        List<String> wrong = new ArrayList<>();
        for (String l : o.log) if (l.startsWith("LOCKED") || l.startsWith("INVARIANT") || l.startsWith("root:")) wrong.add(l);
        boolean senderDeleted = c.action == Action.DELETE && c.targetSender;
        boolean receiverDeleted = c.action == Action.DELETE && !c.targetSender;
        int t = c.t();

        if (c.action == Action.TIMED_DELETE) {
            // Wherever the deletion came: too late (the result without it; if the target returned
            // at all, it was too late), mid-transfer (the survivor aborted at an offset), or before
            // the transfer (the survivor's partner does not exist, or it timed out waiting).
            boolean survivorDone = c.targetSender ? o.receiverDone : o.senderDone, targetDone = c.targetSender ? o.senderDone : o.receiverDone;
            int phase = c.targetSender ? IpcError.PHASE_RECEIVE : IpcError.PHASE_SEND;
            long stag = c.targetSender ? o.receiverTag : o.senderTag, scode = c.targetSender ? o.receiverCode : o.senderCode;
            String got = result(stag, scode, phase);
            String natural = want.ok ? "ok" : code(phase, c.targetSender ? want.receiverError : want.senderError, want.offset);
            long so = IpcError.offset(scode);
            String kind;
            if (!survivorDone) kind = "wrong";
            else if (got.equals(natural)) kind = "too late";
            else if (targetDone) kind = "wrong";
            else if (got.equals(code(phase, IpcError.ABORTED, so)) && so <= model.end) kind = so == 0 ? "aborted at 0" : "aborted mid-transfer";
            else if (got.equals(code(phase, IpcError.NO_PARTNER, 0)) || got.equals(code(phase, IpcError.TIMEOUT, 0))) kind = "deleted before";
            else kind = "wrong";
            if (kind.equals("wrong"))
                wrong.add("timed deletion: survivor " + (survivorDone ? got : "never returned") + ", target " + (targetDone ? "returned" : "did not return")
                        + "; without the deletion: " + natural);
            if (targetDone) {
                String tgot = c.targetSender ? result(o.senderTag, o.senderCode, IpcError.PHASE_SEND) : result(o.receiverTag, o.receiverCode, IpcError.PHASE_RECEIVE);
                String tnat = want.ok ? "ok" : c.targetSender ? code(IpcError.PHASE_SEND, want.senderError, want.offset)
                        : code(IpcError.PHASE_RECEIVE, want.receiverError, want.offset);
                if (!tgot.equals(tnat)) wrong.add("the target returned " + tgot + " before its deletion, expected " + tnat);
            }
            Statistics.label("timed deletion").collect(kind);
            if (survivorDone && !c.targetSender && L4.failed(o.senderTag) && o.senderTag != (MsgTag.make(9, 0, t) | MsgTag.FLAG_ERROR)
                    && IpcError.error(o.senderCode) != IpcError.NO_PARTNER)
                wrong.add("sender MR0 " + Long.toHexString(o.senderTag));
            if (o.receiverDone && o.image != null) checkImage(c, model, o, wrong);
        } else if (c.action == Action.SHORT_XFER && o.senderDone && o.receiverDone) {
            // The xfer timeout is armed at the first fault: the transfer ends as without it, or
            // with 5/6 (the shorter side 5) at one offset between the first fault and the end.
            String gs = result(o.senderTag, o.senderCode, IpcError.PHASE_SEND), gr = result(o.receiverTag, o.receiverCode, IpcError.PHASE_RECEIVE);
            String ns = want.ok ? "ok" : code(IpcError.PHASE_SEND, want.senderError, want.offset);
            String nr = want.ok ? "ok" : code(IpcError.PHASE_RECEIVE, want.receiverError, want.offset);
            long so = IpcError.offset(o.senderCode);
            Outcome timedOut = Model.xferTimeout(c, so);
            // The first fault arms it: the model's first, or one on the other side of a clipped byte.
            int first = Integer.MAX_VALUE;
            if (!model.faults.isEmpty()) first = model.faults.get(0).pos;
            if (!model.atClip.isEmpty()) first = Math.min(first, model.atClip.get(0).pos);
            String kind;
            if (gs.equals(ns) && gr.equals(nr)) kind = "not expired";
            else if (gs.equals(code(IpcError.PHASE_SEND, timedOut.senderError, so)) && gr.equals(code(IpcError.PHASE_RECEIVE, timedOut.receiverError, so))
                    && first != Integer.MAX_VALUE && so >= first && so <= model.end)
                kind = so == first ? "expired at the first fault" : "expired later";
            else {
                kind = "wrong";
                wrong.add("short xfer timeouts: sender " + gs + ", receiver " + gr + "; without them: " + ns + " / " + nr
                        + (first == Integer.MAX_VALUE ? "; no faults" : "; first fault at " + first));
            }
            Statistics.label("short xfer timeouts").collect(kind);
            if (L4.failed(o.senderTag) && o.senderTag != (MsgTag.make(9, 0, t) | MsgTag.FLAG_ERROR))
                wrong.add("sender MR0 " + Long.toHexString(o.senderTag));
            checkImage(c, model, o, wrong);
        } else if (c.action == Action.SHORT_XFER) {
            wrong.add("a side never returned");
        } else if (c.action == Action.TIMED_ABORT && o.senderDone && o.receiverDone) {
            // Wherever the abort came: too late (the result without it), mid-transfer (aborted, both
            // at one offset), or before the transfer (the target canceled, its partner timing out).
            String gs = result(o.senderTag, o.senderCode, IpcError.PHASE_SEND), gr = result(o.receiverTag, o.receiverCode, IpcError.PHASE_RECEIVE);
            String ns = want.ok ? "ok" : code(IpcError.PHASE_SEND, want.senderError, want.offset);
            String nr = want.ok ? "ok" : code(IpcError.PHASE_RECEIVE, want.receiverError, want.offset);
            long so = IpcError.offset(o.senderCode);
            String kind;
            if (gs.equals(ns) && gr.equals(nr)) kind = "too late";
            else if (gs.equals(code(IpcError.PHASE_SEND, IpcError.ABORTED, so)) && gr.equals(code(IpcError.PHASE_RECEIVE, IpcError.ABORTED, so))
                    && so <= model.end) kind = so == 0 ? "aborted at 0" : "aborted mid-transfer";
            else if (c.targetSender && gs.equals(code(IpcError.PHASE_SEND, IpcError.CANCELED, 0))
                    && gr.equals(code(IpcError.PHASE_RECEIVE, IpcError.TIMEOUT, 0))) kind = "sender canceled before";
            else if (!c.targetSender && gr.equals(code(IpcError.PHASE_RECEIVE, IpcError.CANCELED, 0))
                    && gs.equals(code(IpcError.PHASE_SEND, IpcError.TIMEOUT, 0))) kind = "receiver canceled before";
            else {
                kind = "wrong";
                wrong.add("timed abort: sender " + gs + ", receiver " + gr + "; without the abort: " + ns + " / " + nr);
            }
            Statistics.label("timed abort").collect(kind);
            if (L4.failed(o.senderTag) && o.senderTag != (MsgTag.make(9, 0, t) | MsgTag.FLAG_ERROR))
                wrong.add("sender MR0 " + Long.toHexString(o.senderTag));
            checkImage(c, model, o, wrong);
        } else if (c.action == Action.TIMED_ABORT) {
            wrong.add("a side never returned");
        } else if (senderDeleted) {
            if (o.senderDone) wrong.add("the deleted sender returned");
        } else if (!o.senderDone) {
            wrong.add("the sender never returned");
        } else {
            String got = result(o.senderTag, o.senderCode, IpcError.PHASE_SEND);
            String exp = want.ok ? "ok" : code(IpcError.PHASE_SEND, want.senderError, want.offset);
            if (!got.equals(exp)) wrong.add("sender: " + got + ", expected " + exp);
            if (!want.ok && L4.failed(o.senderTag) && o.senderTag != (MsgTag.make(9, 0, t) | MsgTag.FLAG_ERROR))
                wrong.add("sender MR0 " + Long.toHexString(o.senderTag));
        }
        if (c.action == Action.TIMED_ABORT || c.action == Action.TIMED_DELETE || c.action == Action.SHORT_XFER) {
        } else if (receiverDeleted) {
            if (o.receiverDone) wrong.add("the deleted receiver returned");
        } else if (!o.receiverDone) {
            wrong.add("the receiver never returned");
        } else {
            String got = result(o.receiverTag, o.receiverCode, IpcError.PHASE_RECEIVE);
            String exp = want.ok ? "ok" : code(IpcError.PHASE_RECEIVE, want.receiverError, want.offset);
            if (!got.equals(exp)) wrong.add("receiver: " + got + ", expected " + exp);
            if (!L4.failed(o.receiverTag) && (MsgTag.t(o.receiverTag) != t || MsgTag.label(o.receiverTag) != 9))
                wrong.add("receiver tag " + Long.toHexString(o.receiverTag) + ", expected label 9 t " + t);
            // §5.2: the receiver's MRs get the sender's typed words verbatim (headers, the sender's addresses).
            if (!L4.failed(o.receiverTag)) {
                long[] words = typedWords(c);
                for (int i = 0; i < words.length; i++)
                    if (o.receiverMrs[1 + i] != words[i]) {
                        wrong.add("receiver MR" + (1 + i) + " " + Long.toHexString(o.receiverMrs[1 + i]) + ", sent " + Long.toHexString(words[i]));
                        break;
                    }
            }
            checkImage(c, model, o, wrong);
        }
        if (c.action == Action.ABORT && !o.faults.contains("(held)")) wrong.add("the held fault never came");
        checkFaults(c, model, o, wrong);
        if (!wrong.isEmpty())
            fail(copy + " " + c + "\n  model: " + model.end + " bytes" + (model.overflow ? " then overflow" : "") + ", faults " + model.faults
                    + "\n  expected " + want + which + "\n  faults " + o.faults + "\n  log " + o.log + "\n  WRONG: " + String.join("\n  WRONG: ", wrong));
    }

    /**
     * The faults the pager got from the copy: each page at most once, only pages the model says
     * fault; unless the transfer ended early (zero xfer timeout: none at all; a held fault: those
     * before it; a timed abort: any), every one the model lists.
     */
    static void checkFaults(Case c, Model model, Observed o, List<String> wrong) {
        Set<String> seen = new HashSet<>();
        Set<String> possible = new HashSet<>();
        for (Fault f : model.faults) possible.add(f.sender + " " + f.page);
        for (Fault f : model.atClip) possible.add(f.sender + " " + f.page);
        for (Fault f : o.copyFaults) {
            String key = f.sender + " " + f.page;
            if (!seen.add(key)) wrong.add("page " + Long.toHexString(f.page << 12) + " of the " + (f.sender ? "sender" : "receiver") + " faulted twice");
            if (!possible.contains(key)) wrong.add("unexpected fault " + f);
        }
        boolean zero = c.sndXfer == Timeout.ZERO || c.rcvXfer == Timeout.ZERO;
        if (zero && (c.action == Action.NONE || c.action == Action.TIMED_POKE) && !o.copyFaults.isEmpty()) wrong.add("a fault went to the pager with a zero xfer timeout");
        if (c.action == Action.TIMED_ABORT || c.action == Action.TIMED_DELETE || c.action == Action.SHORT_XFER || zero) return;
        int upTo = c.action == Action.NONE || c.action == Action.TIMED_POKE ? Integer.MAX_VALUE : model.held(c).pos;
        for (Fault f : model.faults)
            if (f.pos < upTo && !seen.contains(f.sender + " " + f.page)) wrong.add("the model's fault " + f + " never came");
    }

    /** The bytes: as many arrived as the receiver's result says (all on success), no others changed. */
    static void checkImage(Case c, Model model, Observed o, List<String> wrong) {
        long copied = L4.failed(o.receiverTag) ? IpcError.offset(o.receiverCode) : model.end;
        // The map item came after mapBefore strings: performed iff they were all complete.
        // (Unless the sender was deleted: with its space go the mappings derived from it.)
        boolean senderDeleted = (c.action == Action.DELETE || c.action == Action.TIMED_DELETE) && c.targetSender;
        if (c.mapBefore >= 0 && !senderDeleted) {
            int done = L4.failed(o.receiverTag) ? model.completedBy(copied) : model.completed;
            // (A transfer that never began — the receiver cancelled, timed out, its partner gone — performed nothing.)
            boolean began = !L4.failed(o.receiverTag) || IpcError.error(o.receiverCode) >= IpcError.MSG_OVERFLOW;
            // (An abort or xfer timeout that comes as the last chunk of the string before the item
            // was copied — at the chunk's event check, not at a fault — ends it before the item.)
            boolean either = (c.action.timed() || c.action == Action.SHORT_XFER) && L4.failed(o.receiverTag) && c.mapBefore >= 1
                    && c.mapBefore - 1 < model.completed && model.ends.get(c.mapBefore - 1) == copied;
            if (!either && o.mapped != (began && c.mapBefore <= done))
                wrong.add("the map item (after " + c.mapBefore + " strings; " + done + " complete) was " + (o.mapped ? "" : "not ") + "performed");
        }
        if (copied > model.end) wrong.add("offset " + copied + " beyond the " + model.end + " bytes the buffers can take");
        byte[] img = model.image(c, copied);
        if (!Arrays.equals(img, o.image)) {
            int i = Arrays.mismatch(img, o.image), n = 0;
            for (int j = 0; j < img.length; j++) if (img[j] != o.image[j]) n++;
            wrong.add(n + " bytes of the receiver's area differ, first at " + Long.toHexString(DST + i) + ": "
                    + o.image[i] + " instead of " + img[i] + " (" + copied + " bytes copied)");
        }
    }

    /** The message's typed words as §4.3 encodes them. */
    static long[] typedWords(Case c) {
        List<Long> w = new ArrayList<>();
        for (int k = 0; k <= c.send.size(); k++) {
            if (k == c.mapBefore) {
                w.add(ristretto.abi.MapItem.mapWord(MAP_DST));
                w.add(Fpage.log2(MAP_SRC, 12, Fpage.RWX));
            }
            if (k == c.send.size()) break;
            List<Item> str = c.send.get(k);
            for (int i = 0; i < str.size(); i++) {
                Item it = str.get(i);
                w.add(ristretto.abi.StringItem.header(it.length, it.addrs.length, i < str.size() - 1, false, ristretto.abi.StringItem.HINT_DEFAULT));
                for (long a : it.addrs) w.add(a);
            }
        }
        return w.stream().mapToLong(Long::longValue).limit(c.t()).toArray();
    }

    static int typedWordCount(List<List<Item>> send) {
        int t = 0;
        for (List<Item> str : send) for (Item it : str) t += it.addrs.length + 1;
        return t;
    }

    static String result(long tag, long code, int phase) {
        if (!L4.failed(tag)) return "ok";
        return code(IpcError.phase(code), IpcError.error(code), IpcError.offset(code));
    }

    static String code(int phase, int error, long offset) {
        return (phase == IpcError.PHASE_SEND ? "send" : "receive") + " phase " + IpcError.name(error) + " offset " + offset;
    }

    // ------------------------------------------------------------------------- properties

    @Property(tries = 100, seed = "20261126", shrinking = ShrinkingMode.OFF)
    void stringsArriveAsTheModelSaysCopyInOut(@ForAll("cases") Case c) { check(Kernel.Copy.COPY_IN_OUT, c); }

    @Property(tries = 100, seed = "20261127", shrinking = ShrinkingMode.OFF)
    void stringsArriveAsTheModelSaysTemporaryMapping(@ForAll("cases") Case c) { check(Kernel.Copy.TEMPORARY_MAPPING, c); }
}
