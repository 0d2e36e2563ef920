package ristretto.kernel.debug;

import java.util.ArrayList;
import java.util.List;
import ristretto.abi.ThreadId;
import ristretto.kernel.Kernel;
import ristretto.kernel.thread.Tcb;

/**
 * The kernel event trace: a record per scheduling and IPC event, with machine time. With the
 * virtual clock the same program and seed give the same trace, which the determinism and
 * fast-path equivalence tests compare.
 */
public final class Trace {
    public static final int SWITCH = 0, BLOCK_SEND = 1, BLOCK_RECEIVE = 2, HANDSHAKE = 3, DELIVER = 4,
            IPC_ERROR = 5, UNWIND = 6, TIMEOUT = 7, PREEMPT = 8, SLICE_END = 9, IDLE = 10, HALT = 11,
            ACTIVATE = 12, DELETE = 13, STOP = 14, YIELD = 15, DELAY = 16, SWITCH_FAILED = 17,
            PAGE_FAULT = 18, EXCEPTION = 19;
    private static final String[] NAMES = {"switch", "block-send", "block-receive", "handshake", "deliver",
            "ipc-error", "unwind", "timeout", "preempt", "slice-end", "idle", "halt", "activate", "delete",
            "stop", "yield", "delay", "switch-failed",
            "page-fault", "exception"};

    /** One event: machine time, kind, and the two threads involved (global IDs or 0). */
    public record Event(long timeNs, String kind, long a, long b) {
        @Override public String toString() {
            return String.format("%12d %-13s %s %s", timeNs, kind, ThreadId.toString(a), ThreadId.toString(b));
        }
    }

    private final Kernel kernel;
    private final List<Event> events = new ArrayList<>();
    /** Deliveries whose rendezvous went through the fast path (not part of the trace itself). */
    public long fastPathHits;

    public Trace(Kernel kernel) { this.kernel = kernel; }

    public void record(int kind, Tcb a, Tcb b) {
        events.add(new Event(kernel.machine.clock().nowNs(), NAMES[kind], a == null ? 0 : a.globalId, b == null ? 0 : b.globalId));
    }

    public List<Event> events() { return events; }

    public void clear() { events.clear(); }

    public void setEnabled(boolean on) { kernel.setTracing(on); }
}
