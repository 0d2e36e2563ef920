package ristretto.kernel.thread;

/**
 * A message transfer with typed items in progress (§9.4): the record both partners hold while
 * the sender copies strings into the receiver — which can block, in a page fault of either
 * space — so that whichever way the transfer ends (done, message overflow, xfer timeout, abort,
 * deletion of either side) both sides learn it, once, with the same offset. Data only; {@code
 * ipc.StringTransfer} drives it.
 *
 * <p>While it lasts the sender is {@code LOCKED_RUNNING} (copying), in a nested page-fault IPC
 * of its own ({@link #senderNested}), or {@code WAITING_TUNNELED} while the receiver is in a
 * page-fault IPC for its buffer ({@link #receiverNested}); otherwise the receiver is {@code
 * LOCKED_WAITING}. A side in a nested IPC has its registers restored when that IPC ends, so it
 * writes its own results again once it is back.
 */
public final class Xfer {
    public final Tcb sender, receiver;
    /** The message tag the sender sent (the results carry it with the error bit). */
    public final long tag;
    /** String bytes copied so far: the offset of an error (§7). */
    public long offset;
    /** Whether the transfer has ended with an error; the errors of each side, then. */
    public boolean ended;
    public int senderError, receiverError;
    /** A page fault has occurred: the xfer timeout is armed (or needs none). */
    public boolean faulted;
    /** The xfer timeout's deadline (µs), or Long.MAX_VALUE if none is armed. */
    public long deadlineMicros = Long.MAX_VALUE;
    /** A side is in a nested page-fault IPC for this transfer. */
    public boolean senderNested, receiverNested;
    /** The receiver's fault to resolve (tunneled): the address in its space. */
    public long tunnelAddress;

    public Xfer(Tcb sender, Tcb receiver, long tag) {
        this.sender = sender;
        this.receiver = receiver;
        this.tag = tag;
    }
}
