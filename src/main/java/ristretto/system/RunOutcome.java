package ristretto.system;

import java.util.ArrayList;
import java.util.List;
import ristretto.abi.ThreadId;
import ristretto.kernel.Kernel;
import ristretto.kernel.ThreadReport;

/**
 * How a run ended, judged when the machine has halted: from the halt reason and the root task's
 * last state.
 *
 * @param status     the verdict
 * @param summary    one line saying why, for people
 * @param haltReason what the kernel answered when it halted
 * @param threads    every live thread, root task first
 */
public record RunOutcome(Status status, String summary, String haltReason, List<ThreadReport> threads) {

    public enum Status {
        /** The root task returned from its main method. */
        FINISHED,
        /** The root task threw, or was stopped by a fault (page fault, bad IP), or deleted. */
        FAILED,
        /** The machine idled to a halt while the root task was blocked (or halted by another thread): nothing could wake it. */
        DEADLOCKED,
        /** A time limit stopped the machine. */
        TIME_LIMIT
    }

    /** The kernel's halt reason when no thread is runnable and no timeout is pending. */
    public static final String IDLE_HALT = "no runnable thread and nothing left to wake";
    /** The stop reason of a thread whose entry point returned. */
    public static final String RETURNED = "returned from its entry point";

    static RunOutcome of(Kernel kernel, String haltReason) {
        long root = kernel.rootTaskId();
        List<ThreadReport> threads = new ArrayList<>();
        ThreadReport r = null;
        for (ThreadReport t : kernel.threadReports()) {
            if (t.globalId() == root) { r = t; threads.addFirst(t); }
            else threads.add(t);
        }
        String rootName = "the root task " + ThreadId.toString(root);
        Status status;
        String summary;
        if (haltReason != null && haltReason.startsWith("time limit")) {
            status = Status.TIME_LIMIT;
            summary = haltReason;
        } else if (r == null) {
            status = Status.FAILED;
            summary = rootName + " was deleted";
        } else if (r.state().equals("halted") && RETURNED.equals(r.stopReason())) {
            status = Status.FINISHED;
            summary = rootName + " finished";
        } else if (r.state().equals("halted") && r.stopReason() != null) {
            status = Status.FAILED;
            summary = rootName + " stopped: " + r.stopReason();
        } else if (r.fault() != null) {
            status = Status.FAILED;
            summary = rootName + " stopped: " + r.fault() + ", which its pager " + ThreadId.toString(r.partner()) + " does not resolve";
        } else if (r.state().equals("halted")) {
            status = Status.DEADLOCKED;
            summary = rootName + " was halted by another thread and nothing is left to resume it";
        } else {
            status = Status.DEADLOCKED;
            summary = "deadlock: " + rootName + " is " + describe(r) + " and nothing is left to wake it";
        }
        return new RunOutcome(status, summary, haltReason, List.copyOf(threads));
    }

    /** What a thread is doing, in words: "polling: sending to 67.1", "halted: user code threw ...". */
    public static String describe(ThreadReport t) {
        String p = ThreadId.toString(t.partner());
        return t.state() + switch (t.state()) {
            case "polling" -> ": sending to " + p;
            case "locked_running" -> ": sending to " + p + " (handshake)";
            case "waiting_forever", "waiting_timeout" -> ": receiving from " + p;
            case "locked_waiting" -> ": receiving from " + p + " (handshake)";
            case "halted" -> t.stopReason() == null ? ": stopped by ExchangeRegisters" : ": " + t.stopReason();
            case "aborted" -> ": not active";
            default -> "";
        } + (t.fault() == null ? "" : " (in " + t.fault() + ")");
    }

    /** The threads that did not finish: all but those that returned from their entry point. */
    public List<ThreadReport> unfinished() {
        return threads.stream().filter(t -> !(t.state().equals("halted") && RETURNED.equals(t.stopReason()))).toList();
    }
}
