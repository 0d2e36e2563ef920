package ristretto.kernel.ipc;

import static ristretto.kernel.thread.ThreadState.*;

import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.StringItem;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.copy.StringCopy;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.mem.Space;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.Xfer;
import ristretto.kernel.time.Timeouts;
import ristretto.machine.CostModel;
import ristretto.machine.Pte;

/**
 * String items (§4.3, §5.2, §9.4): one send string — an item and its compound continuations —
 * copied as a byte stream into one receive buffer of the receiver (scatter and gather in both
 * directions), by the CPU's {@link StringCopy}, in the sender's context with both partners
 * locked ({@link Xfer}).
 *
 * <p>A page that does not translate stops the copy. In the sender's space it is an ordinary
 * page-fault IPC of the sender to its pager (nested, §9.6); in the receiver's it is tunneled:
 * the sender waits ({@code WAITING_TUNNELED}) while the receiver runs ({@code
 * LOCKED_RUNNING_NESTED}) and Calls its own pager — fault IP all ones, access write — then
 * hands the CPU back. The first fault arms the xfer timeout, the shorter of the sender's send
 * and the receiver's receive XferTimeouts (§6.4). The copy resumes where it stopped; every
 * point where it can have blocked (a fault, a preemption between chunks) first asks whether
 * the transfer has ended meanwhile — timed out, aborted, or a partner deleted ({@link #end}).
 */
public final class StringTransfer {
    private StringTransfer() {}

    /**
     * Copies the send string whose first item is MR {@code item} of {@code self} (items up to MR
     * {@code last}) into the receive buffer whose first item is BR {@code buffer} of the
     * receiver. Answers the MR index after the string in bits 8 and up and the BR index of the
     * next receive buffer in the low 8 bits (0: none may follow), or -1 once the transfer has
     * ended with an error (both sides' results written or due).
     */
    static int copy(Tcb self, Xfer x, int item, int last, int buffer) {
        Cursor s = new Cursor(self, false, last), r = new Cursor(x.receiver, true, Utcb.BR_COUNT - 1);
        if (!s.start(item) || !r.start(buffer)) return overflow(x);
        boolean another = StringItem.another(r.header);
        while (true) {
            while (s.left == 0 && s.advance()) { }
            if (s.left == 0) {
                if (s.bad) return overflow(x);
                break;                                        // the send string is complete
            }
            while (r.left == 0 && r.advance()) { }
            if (r.left == 0) return overflow(x);              // the receive buffer is full (or malformed)
            long n = Math.min(s.left, r.left);
            if (!move(self, x, s.addr, r.addr, n, StringItem.hint(s.header), StringItem.hint(r.header))) return -1;
            s.consume(n);
            r.consume(n);
        }
        int next = r.chainEnd();
        return (s.item + StringItem.words(s.header)) << 8 | (another && next < Utcb.BR_COUNT ? next : 0);
    }

    /**
     * One side's string: a cursor over the substrings of an item and its compound chain, read
     * from the owner's MRs (send side, up to MR {@code last}) or BRs (receive side, up to BR32).
     */
    private static final class Cursor {
        final Tcb owner;
        final boolean buffers;
        final int last;
        int item, sub;
        long header, addr, left;
        /** The chain was malformed where it continued: not a string, past the last word, or too long. */
        boolean bad;

        Cursor(Tcb owner, boolean buffers, int last) {
            this.owner = owner;
            this.buffers = buffers;
            this.last = last;
        }

        long word(int i) { return buffers ? owner.word(Utcb.br(i)) : owner.mr(i); }

        /** Loads the item at {@code i}: answers false (and sets {@link #bad}) if it is not a well-formed string item. */
        boolean start(int i) {
            if (i > last) return !(bad = true);
            long h = word(i);
            if (!StringItem.isString(h) || i + StringItem.substrings(h) > last || StringItem.length(h) > StringItem.MAX_LENGTH)
                return !(bad = true);
            item = i;
            header = h;
            sub = 0;
            left = 0;
            return true;
        }

        /** Moves to the next substring, across compound items; false at the chain's end (or where it is malformed). */
        boolean advance() {
            if (sub < StringItem.substrings(header)) {
                addr = word(item + 1 + sub++);
                left = StringItem.length(header);
                return true;
            }
            return StringItem.compound(header) && start(item + StringItem.words(header));
        }

        void consume(long n) {
            addr += n;
            left -= n;
        }

        /** The index after the last item of the chain the cursor is in (the rest of a buffer is skipped). */
        int chainEnd() {
            int i = item;
            long h = header;
            while (StringItem.compound(h) && i + StringItem.words(h) <= last) {
                i += StringItem.words(h);
                h = word(i);
                if (!StringItem.isString(h)) break;
            }
            return i + StringItem.words(h);
        }
    }

    // ---------------------------------------------------------------------------- the copy

    /**
     * Moves {@code n} bytes from {@code src} in the sender's space to {@code dst} in the
     * receiver's, chunk by chunk, resolving faults on the way; the clock is charged per chunk
     * (one access per word and pass) and events are taken between chunks, so a long copy can be
     * preempted. Answers false once the transfer has ended.
     */
    private static boolean move(Tcb self, Xfer x, long src, long dst, long n, int srcHint, int dstHint) {
        Kernel k = self.kernel;
        Tcb dest = x.receiver;
        int passes = k.options.copy() == Kernel.Copy.COPY_IN_OUT ? 2 : 1;
        while (n > 0) {
            Processor p = self.cpu;
            Space from = self.space, to = dest.space;
            StringCopy c = p.stringCopy;
            long asked = Math.min(n, StringCopy.CHUNK);
            long done = c.copy(from.pageTable, from.id, to.pageTable, to.id, src, dst, asked, srcHint, dstHint);
            x.offset += done;
            src += done;
            dst += done;
            n -= done;
            CostModel costs = p.machineCpu.costs();
            if (costs != null) costs.delivered(done);
            if (p.machineCpu.charge(k.costMemoryNs * passes * ((done + 7) >>> 3))) {
                p.checkEvents(self);
                if (x.ended) return leave(self, x);
            }
            if (done < asked && !(c.onDevice ? overflow(x) >= 0 : resolve(self, x, self.cpu, c.faultSide, c.faultAddress))) return false;
        }
        return true;
    }

    /**
     * The copy stopped at {@code vaddr} of the sender's ({@code side} SENDER) or the receiver's
     * space: resolves it — sigma0's physical space by the kernel, else by a page-fault IPC to the
     * pager of that space's thread — and answers true to retry, false if the transfer ended. (A
     * page of device memory is no fault: the copy is clipped there, see {@code move}.) An
     * address outside the user area or in a kernel area of the space, or a thread without a pager
     * (or whose pager is gone), is a clipped copy: message overflow (§5.2 rule 7).
     */
    private static boolean resolve(Tcb self, Xfer x, Processor p, int side, long vaddr) {
        Tcb faulting = side == StringCopy.SENDER ? self : x.receiver;
        if (vaddr < 0 || vaddr >= ristretto.machine.PageTable.VA_LIMIT || faulting.space.inKernelArea(Tcb.pageOf(vaddr)))
            return overflow(x) >= 0;                          // no pager can map there: KIP, UTCBs, code image
        if (faulting.space.physical)
            return self.kernel.spaces.source(faulting.space, Tcb.pageOf(vaddr)) != null || overflow(x) >= 0;
        if (faulting.word(Utcb.PAGER) == ThreadId.NIL) return overflow(x) >= 0;
        if (!x.faulted) {
            x.faulted = true;
            if (!armXferTimeout(x, p)) return false;
        }
        return side == StringCopy.SENDER ? senderFault(self, x, p, vaddr) : tunnel(self, x, p, vaddr);
    }

    /** The sender's own page: a nested page-fault IPC to its pager, both sides staying locked. */
    private static boolean senderFault(Tcb self, Xfer x, Processor p, long vaddr) {
        x.senderNested = true;
        long failed = KernelMessage.pageFault(self, p, self.word(Utcb.PAGER), vaddr, Pte.R, self.ip);
        x.senderNested = false;
        if (x.ended) return leave(self, x);
        self.state = LOCKED_RUNNING;
        self.partnerTcb = x.receiver;
        if (KernelMessage.inSendPhase(failed) && KernelMessage.error(failed) == IpcError.NO_PARTNER) return overflow(x) >= 0;
        return true;
    }

    /**
     * The receiver's page: tunneled (§9.4). The receiver runs its page-fault IPC ({@link
     * #tunneledFault}, from its pending work) while the sender waits; answers when the receiver
     * hands back the CPU, or the transfer ended.
     */
    private static boolean tunnel(Tcb self, Xfer x, Processor p, long vaddr) {
        Tcb dest = x.receiver;
        x.tunnelAddress = vaddr;
        dest.pendingWork |= Tcb.PENDING_TUNNELED_FAULT;
        dest.state = LOCKED_RUNNING_NESTED;
        self.state = WAITING_TUNNELED;
        p.scheduler.switchTo(self, dest);
        if (x.ended) return leave(self, x);
        return true;
    }

    /**
     * The receiver's side of a tunneled fault, run from its pending work: it Calls its pager on
     * the transfer's behalf, then locks itself again and lets the sender go on. If the transfer
     * ended meanwhile, it leaves it with its results.
     */
    public static void tunneledFault(Tcb r, Processor p) {
        Xfer x = r.xfer;
        if (x == null) return;
        if (x.ended) { leave(r, x); return; }
        x.receiverNested = true;
        long failed = KernelMessage.pageFault(r, p, r.word(Utcb.PAGER), x.tunnelAddress, Pte.W, -1L);
        x.receiverNested = false;
        if (x.ended) { leave(r, x); return; }
        if (KernelMessage.inSendPhase(failed) && KernelMessage.error(failed) == IpcError.NO_PARTNER) {
            overflow(x);
            leave(r, x);
            return;
        }
        Tcb s = x.sender;
        r.state = LOCKED_WAITING;
        r.partnerTcb = s;
        s.state = LOCKED_RUNNING;
        p.scheduler.switchTo(r, s);
        // Back when the transfer is done or has ended (RUNNING, results written), or faults again (pending work).
    }

    // ----------------------------------------------------------------------- xfer timeouts

    /**
     * §6.4 at the first fault: the effective xfer timeout is the shorter of the sender's send
     * and the receiver's receive XferTimeouts. Zero ends the transfer at once; never arms
     * nothing; else a deadline on the sender covers the rest of the transfer. Answers false if
     * the transfer ended.
     */
    private static boolean armXferTimeout(Xfer x, Processor p) {
        long now = p.clock.nowMicros();
        long snd = xferMicros((int) (x.sender.word(Utcb.XFER_TIMEOUTS) >>> 16) & 0xFFFF, now);
        long rcv = xferMicros((int) x.receiver.word(Utcb.XFER_TIMEOUTS) & 0xFFFF, now);
        long shorter = Math.min(snd, rcv);
        if (shorter == Long.MAX_VALUE) return true;
        if (shorter == 0) { timedOut(x); return false; }
        x.deadlineMicros = now + shorter;
        Timeouts.armXfer(x.sender, x.deadlineMicros);
        return true;
    }

    /** A 16-bit timeout as microseconds from now: never is Long.MAX_VALUE, zero (and a point passed) 0. */
    private static long xferMicros(int t, long now) {
        if (t == Timeout.NEVER) return Long.MAX_VALUE;
        if (t == Timeout.ZERO) return 0;
        if (Timeout.isPoint(t)) return Math.max(0, Timeout.pointDeadlineMicros(t, now) - now);
        return Timeout.periodMicros(t);
    }

    /**
     * The xfer timeout expired (or was zero): §7.1 as Pistachio and l4test have it — the side
     * whose own xfer timeout is the effective one (the shorter; ties go to the sender) gets 5,
     * the other 6, wherever the fault was.
     */
    static void timedOut(Xfer x) {
        long now = x.sender.cpu.clock.nowMicros();
        long snd = xferMicros((int) (x.sender.word(Utcb.XFER_TIMEOUTS) >>> 16) & 0xFFFF, now);
        long rcv = xferMicros((int) x.receiver.word(Utcb.XFER_TIMEOUTS) & 0xFFFF, now);
        boolean senderShorter = snd <= rcv;
        end(x, senderShorter ? IpcError.XFER_TIMEOUT_CURRENT : IpcError.XFER_TIMEOUT_PARTNER,
                senderShorter ? IpcError.XFER_TIMEOUT_PARTNER : IpcError.XFER_TIMEOUT_CURRENT);
    }

    // ------------------------------------------------------------------------ ending it

    /** Ends the transfer with a message overflow on both sides; answers -1. */
    static int overflow(Xfer x) {
        end(x, IpcError.MSG_OVERFLOW, IpcError.MSG_OVERFLOW);
        return -1;
    }

    /**
     * Ends the transfer {@code x} with an error — {@code senderError} for the sender (send
     * phase), {@code receiverError} for the receiver (receive phase), both at the bytes copied so
     * far — from wherever: the copying sender itself, an xfer timeout, ExchangeRegisters, the
     * deletion of a partner. Each side is told according to where it is: one blocked on the
     * transfer itself gets its results and is woken; one inside a nested page-fault IPC has that
     * IPC ended (its registers are restored when it returns, so it writes its results then,
     * {@link #leave}); a sender running the copy (or preempted in it) sees the end at its next
     * check. The xfer timeout is cancelled. Once only.
     */
    static void end(Xfer x, int senderError, int receiverError) {
        if (x.ended) return;
        x.ended = true;
        x.senderError = senderError;
        x.receiverError = receiverError;
        Timeouts.cancelXfer(x.sender);
        Tcb s = x.sender, r = x.receiver;
        s.kernel.trace(Trace.IPC_ERROR, s, r);
        if (r.xfer == x) {
            if (x.receiverNested) {
                if (Unwind.unwindIpc(r, IpcError.ABORTED)) r.cpu.scheduler.wake(r);
            } else if (r.state == LOCKED_WAITING) {
                leave(r, x);
                r.cpu.scheduler.wake(r);
            } else if (r.state != LOCKED_RUNNING_NESTED) leave(r, x);
        }
        if (s.xfer == x) {
            if (x.senderNested) {
                if (Unwind.unwindIpc(s, IpcError.ABORTED)) s.cpu.scheduler.wake(s);
            } else if (s.state == WAITING_TUNNELED) {
                s.state = LOCKED_RUNNING;                     // it leaves when it runs
                s.cpu.scheduler.wake(s);
            }
        }
    }

    /**
     * {@code t} leaves the ended transfer {@code x}: its results (error, phase, the offset; MR0
     * the sent tag with the error bit) are written, it is RUNNING and no longer locked. Answers false.
     */
    static boolean leave(Tcb t, Xfer x) {
        boolean sender = t == x.sender;
        long tag = (x.tag & ~MsgTag.RECEIVE_FLAGS) | MsgTag.FLAG_ERROR;
        t.setMr(0, tag);
        t.setWord(Utcb.ERROR_CODE, IpcError.encode(sender ? IpcError.PHASE_SEND : IpcError.PHASE_RECEIVE,
                sender ? x.senderError : x.receiverError, x.offset));
        if (!sender) {
            t.ipcResult = ThreadId.NIL;
            t.awaitingStartup = false;
        }
        t.state = RUNNING;
        t.partnerTcb = null;
        t.xfer = null;
        return false;
    }
}
