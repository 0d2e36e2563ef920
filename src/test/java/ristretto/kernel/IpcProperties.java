package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import ristretto.abi.ExRegs;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.system.Harness;
import ristretto.user.Entry;

/**
 * Random IPC programs over 3-6 threads (some in the root's space, some in spaces of their own,
 * at a few priorities): each thread runs a random list of send / closed receive / open receive
 * / call / reply-and-wait / sleep operations with random small timeouts and messages of 2 to 63
 * untyped words stamped with unique sequence numbers, while the root cancels and deletes threads
 * at random moments. Each program runs with tracing on and off, which must observe the same.
 * Afterwards:
 * <ul>
 *   <li>no message is lost or duplicated: every received message was sent exactly once, and
 *       every send whose send phase succeeded was received exactly once (for deleted senders,
 *       whose last IPC may never return, received ⊆ attempted);</li>
 *   <li>contents, word count and From arrive intact (local ID for a same-space sender, else
 *       global);</li>
 *   <li>every blocking IPC returns exactly once — IPC returns equal IPCs issued, except one
 *       IPC still blocked (with a never timeout) or cut off by the thread's deletion — and
 *       only with errors that something caused: a timeout only with a finite timeout and not
 *       before it expired, "non-existing partner" only for a deleted partner, "canceled" only
 *       after a cancel;</li>
 *   <li>at the halt no thread is in a send queue unless it is blocked sending to that
 *       queue's owner ({@link IpcInspector}).</li>
 * </ul>
 */
class IpcProperties {

    /** SERVE: ReplyWait to the sender of the last message received (if unanswered), else Wait. */
    enum Kind { SEND, RECEIVE, WAIT, CALL, REPLY_WAIT, SLEEP, SERVE }

    /** One operation: peer is taken modulo the thread count; snd/rcv are raw timeouts. */
    record Op(Kind kind, int peer, int snd, int rcv, int extraWords) {}

    record Spec(boolean remote, int prio, List<Op> ops) {}

    /** A root action after a delay: 0 nothing, 1 cancel (ExchangeRegisters r|s), 2 delete, 3 priority 98..102. */
    record Action(int kind, int target, int delayMicros) {}

    record Prog(List<Spec> threads, List<Action> actions) {}

    /**
     * Untyped words beyond the two every message carries: mostly a few, often many, and often
     * the most a message can hold (u = 63: MR0 and 63 words fill the 64 MRs).
     */
    static Arbitrary<Integer> extraWords() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, 5)),
                Tuple.of(2, Arbitraries.integers().between(6, 60)),
                Tuple.of(1, Arbitraries.just(Utcb.MR_COUNT - 3)));
    }

    @Provide
    Arbitrary<Prog> programs() {
        Arbitrary<Integer> timeouts = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(Timeout.ZERO)),
                Tuple.of(7, Arbitraries.integers().between(1, 5000).map(us -> Timeout.period(us))),
                Tuple.of(1, Arbitraries.just(Timeout.NEVER)));
        // Open receives are weighted up so that most programs have plenty of rendezvous.
        Arbitrary<Kind> kinds = Arbitraries.frequency(Tuple.of(3, Kind.SEND), Tuple.of(2, Kind.RECEIVE), Tuple.of(4, Kind.WAIT),
                Tuple.of(2, Kind.CALL), Tuple.of(2, Kind.REPLY_WAIT), Tuple.of(1, Kind.SLEEP));
        // Receive timeouts are never more often: Call / ReplyWait to an open waiter without a
        // timeout is what the fast path takes (the default options have it on).
        Arbitrary<Integer> rcvTimeouts = Arbitraries.frequencyOf(Tuple.of(3, timeouts), Tuple.of(1, Arbitraries.just(Timeout.NEVER)));
        Arbitrary<Op> op = Combinators.combine(kinds, Arbitraries.integers().between(0, 5),
                timeouts, rcvTimeouts, extraWords()).as(Op::new);
        Arbitrary<Spec> spec = Combinators.combine(Arbitraries.frequency(Tuple.of(2, false), Tuple.of(1, true)),
                Arbitraries.of(99, 100, 100, 101), op.list().ofMinSize(1).ofMaxSize(12)).as(Spec::new);
        Arbitrary<Action> action = Combinators.combine(Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(3, 1), Tuple.of(2, 2), Tuple.of(2, 3)),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 3000)).as(Action::new);
        return Combinators.combine(spec.list().ofMinSize(3).ofMaxSize(6), action.list().ofMaxSize(4)).as(Prog::new);
    }

    // ------------------------------------------------------------------------ what threads record

    /** One IPC as its issuer saw it. */
    record Ipc(Op op, long to, long from, int snd, int rcv, long seq, long tag, long fromResult, long errorCode,
               long startMicros, long elapsedMicros, long[] msg, boolean contentOk) {
        boolean failed() { return MsgTag.isError(tag); }

        int phase() { return IpcError.phase(errorCode); }

        int error() { return IpcError.error(errorCode); }

        /** The send phase ran and succeeded (the message was delivered). */
        boolean delivered() { return to != ThreadId.NIL && (!failed() || phase() == IpcError.PHASE_RECEIVE); }

        boolean received() { return from != ThreadId.NIL && !failed(); }

        @Override public String toString() {
            return op.kind() + "(to " + ThreadId.toString(to) + ", from " + ThreadId.toString(from) + ") seq " + Long.toHexString(seq)
                    + " -> " + (failed() ? IpcError.toString(errorCode) : "ok " + MsgTag.toString(tag) + " from " + ThreadId.toString(fromResult))
                    + " at " + startMicros + " in " + elapsedMicros + " µs";
        }
    }

    static final class ThreadLog {
        int issued, returned;
        /** Index of the sender of the last message received and not yet answered, or -1. */
        int lastSender = -1;
        boolean done;
        Op current;
        /** The sequence number of the message of the IPC in progress (0 if none). */
        long currentSeq;
        final List<Long> attempted = new ArrayList<>();
        /** The untyped word count of each message sent, by sequence number. */
        final Map<Long, Integer> sentWords = new HashMap<>();
        final List<Ipc> ipcs = new ArrayList<>();
    }

    static long word(long seq, int k) { return seq * 31 + k; }

    static Entry body(int i, Spec spec, long[] ids, ThreadLog log) {
        int n = ids.length;
        return l4 -> {
            int counter = 0;
            for (Op op : spec.ops()) {
                long peer = ids[op.peer() % n];
                long to = ThreadId.NIL, from = ThreadId.NIL;
                int snd = op.snd(), rcv = op.rcv();
                switch (op.kind()) {
                    case SEND -> to = peer;
                    case RECEIVE -> from = peer;
                    case WAIT -> from = ThreadId.ANY;
                    case CALL -> { to = peer; from = peer; }
                    case REPLY_WAIT -> { to = peer; from = ThreadId.ANY; snd = Timeout.ZERO; }
                    case SLEEP -> from = ids[i];
                    case SERVE -> {
                        if (log.lastSender >= 0) to = ids[log.lastSender];
                        from = ThreadId.ANY;
                        snd = Timeout.ZERO;
                    }
                }
                long seq = 0;
                if (to != ThreadId.NIL) {
                    seq = ((long) (i + 1) << 32) | ++counter;
                    int u = 2 + op.extraWords();
                    l4.setMr(0, MsgTag.make(0x100 + i, u, 0));
                    l4.setMr(1, seq);
                    l4.setMr(2, i);
                    for (int k = 3; k <= u; k++) l4.setMr(k, word(seq, k));
                    log.attempted.add(seq);
                    log.sentWords.put(seq, u);
                }
                log.current = op;
                log.currentSeq = seq;
                log.issued++;
                long before = l4.systemClock();
                long tag = l4.ipc(to, from, Timeout.timeouts(snd, rcv));
                long fromResult = l4.from();
                long errorCode = MsgTag.isError(tag) ? l4.errorCode() : 0;
                long[] msg = null;
                boolean contentOk = true;
                if (from != ThreadId.NIL && !MsgTag.isError(tag)) {
                    int u = MsgTag.u(tag);
                    msg = new long[] {MsgTag.label(tag), u, u >= 1 ? l4.mr(1) : -1, u >= 2 ? l4.mr(2) : -1};
                    contentOk = u >= 2 && MsgTag.t(tag) == 0 && l4.mr(1) >>> 32 == l4.mr(2) + 1 && MsgTag.label(tag) == 0x100 + l4.mr(2);
                    for (int k = 3; contentOk && k <= u; k++) contentOk = l4.mr(k) == word(l4.mr(1), k);
                }
                long elapsed = l4.systemClock() - before;
                log.returned++;
                log.currentSeq = 0;
                if (to != ThreadId.NIL) log.lastSender = -1;
                if (msg != null && contentOk) log.lastSender = (int) msg[3];
                log.ipcs.add(new Ipc(op, to, from, snd, rcv, seq, tag, fromResult, errorCode, before, elapsed, msg, contentOk));
            }
            log.done = true;
        };
    }

    // ------------------------------------------------------------------------------- the run

    /** Client/server programs: 1-3 servers looping in ReplyWait, 2-5 clients calling and sending to them. */
    @Provide
    Arbitrary<Prog> clientServer() {
        Arbitrary<Integer> timeouts = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(Timeout.ZERO)),
                Tuple.of(6, Arbitraries.integers().between(1, 5000).map(us -> Timeout.period(us))),
                Tuple.of(2, Arbitraries.just(Timeout.NEVER)));
        Arbitrary<Boolean> remote = Arbitraries.frequency(Tuple.of(2, false), Tuple.of(1, true));
        Arbitrary<Integer> prio = Arbitraries.of(99, 100, 100, 101);
        Arbitrary<Op> serve = Combinators.combine(Arbitraries.just(Kind.SERVE), Arbitraries.just(0), timeouts, timeouts,
                extraWords()).as(Op::new);
        Arbitrary<Spec> server = Combinators.combine(remote, prio, serve.list().ofMinSize(4).ofMaxSize(16)).as(Spec::new);
        Arbitrary<Action> action = Combinators.combine(Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(3, 1), Tuple.of(2, 2), Tuple.of(2, 3)),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 3000)).as(Action::new);
        return Arbitraries.integers().between(1, 3).flatMap(k -> {
            Arbitrary<Op> request = Combinators.combine(Arbitraries.frequency(Tuple.of(4, Kind.CALL), Tuple.of(1, Kind.SEND)),
                    Arbitraries.integers().between(0, k - 1), timeouts, timeouts, extraWords()).as(Op::new);
            Arbitrary<Spec> client = Combinators.combine(remote, prio, request.list().ofMinSize(1).ofMaxSize(8)).as(Spec::new);
            return Combinators.combine(server.list().ofSize(k), client.list().ofMinSize(2).ofMaxSize(6 - k), action.list().ofMaxSize(3))
                    .as((servers, clients, actions) -> {
                        List<Spec> all = new ArrayList<>(servers);
                        all.addAll(clients);
                        return new Prog(all, actions);
                    });
        });
    }

    @Property(tries = 30)
    void randomIpcProgramsNeverLoseDuplicateOrStrandAnything(@ForAll("programs") Prog prog) { runAndCheck(prog); }

    @Property(tries = 30)
    void clientServerTrafficArrivesExactlyOnce(@ForAll("clientServer") Prog prog) { runAndCheck(prog); }

    /**
     * Runs the program with tracing on (as every test) and off (as users and the benchmarks run,
     * where the fast path skips its tracing branch), checks each run, and expects the two to
     * have observed exactly the same: every IPC's result, message, From and timing, and the clock.
     */
    static void runAndCheck(Prog prog) {
        String traced = runChecked(prog, Harness.testOptions());
        String untraced = runChecked(prog, Harness.testOptions().withTracing(false));
        assertEquals(traced, untraced, "tracing off changed what the threads observed");
    }

    /** Runs and checks the program; answers a transcript of what every thread observed. */
    static String runChecked(Prog prog, Kernel.Options options) {
        int n = prog.threads().size();
        long[] ids = new long[n], localIds = new long[n];
        ThreadLog[] logs = new ThreadLog[n];
        for (int i = 0; i < n; i++) logs[i] = new ThreadLog();
        Set<Integer> deleted = new HashSet<>();
        Map<Integer, Long> deletedAt = new HashMap<>();
        List<String> midRun = new ArrayList<>();
        Map<Integer, Integer> cancelHits = new HashMap<>();
        List<String> rootLog = new ArrayList<>();

        Harness h = IpcScenario.run(options, root -> {
            for (int i = 0; i < n; i++) {
                Spec s = prog.threads().get(i);
                Entry b = body(i, s, ids, logs[i]);
                ids[i] = s.remote() ? root.remote(b) : root.local(b);
            }
            for (int i = 0; i < n; i++) {
                if (!prog.threads().get(i).remote()) localIds[i] = root.l4.localIdOf(ids[i]);
                root.prio(ids[i], prog.threads().get(i).prio());
            }
            for (Action a : prog.actions()) {
                if (a.delayMicros() > 0) root.sleep(a.delayMicros());
                midRun.addAll(IpcInspector.violations(root.kernel(), false));
                int t = a.target() % n;
                if (deleted.contains(t)) continue;
                if (a.kind() == 1 && !prog.threads().get(t).remote()) {
                    cancel(root, ids, t, cancelHits, rootLog);
                } else if (a.kind() == 3) {
                    root.prio(ids[t], 98 + a.delayMicros() % 5);
                    rootLog.add("prio " + t + " " + (98 + a.delayMicros() % 5));
                } else if (a.kind() == 2) {
                    deletedAt.put(t, root.l4.systemClock());
                    rootLog.add("delete " + t + " " + root.kill(ids[t]) + " at " + deletedAt.get(t));
                    deleted.add(t);
                }
            }
            // Sweeps: cancel whatever of the root's space is still blocked, so that the threads
            // stuck with never timeouts go on with the rest of their programs.
            for (int round = 0; round < 8; round++) {
                root.sleep(4000);
                midRun.addAll(IpcInspector.violations(root.kernel(), false));
                for (int t = 0; t < n; t++)
                    if (!deleted.contains(t) && !prog.threads().get(t).remote()) cancel(root, ids, t, cancelHits, rootLog);
            }
            root.sleep(100_000);
        });

        StringBuilder story = new StringBuilder("\nprogram " + prog + "\nroot " + rootLog);
        for (int i = 0; i < n; i++)
            story.append("\nthread ").append(i).append(' ').append(ThreadId.toString(ids[i])).append(deleted.contains(i) ? " (deleted)" : "")
                    .append(" state ").append(h.kernel().stateOf(ids[i])).append(": ").append(logs[i].ipcs);
        String why = story.toString();

        // The kernel's own bookkeeping is consistent at the halt.
        assertEquals(List.of(), IpcInspector.violations(h.kernel()), why);
        assertEquals(List.of(), h.kernel().invariantViolations(), why);
        assertEquals(List.of(), midRun, "while running" + why);

        // No message lost or duplicated.
        Map<Long, Integer> receivedFrom = new HashMap<>();   // seq -> receiver
        Set<Long> attempted = new HashSet<>();
        Map<Long, Integer> sentWords = new HashMap<>();
        for (ThreadLog l : logs) { attempted.addAll(l.attempted); sentWords.putAll(l.sentWords); }
        for (int r = 0; r < n; r++) {
            for (Ipc x : logs[r].ipcs) {
                if (!x.received()) continue;
                assertTrue(x.contentOk(), "corrupt message at thread " + r + ": " + x + why);
                long seq = x.msg()[2];
                int s = (int) x.msg()[3];
                assertTrue(attempted.contains(seq), "received a message nobody sent: " + x + why);
                assertEquals(sentWords.get(seq), (int) x.msg()[1], "untyped words of " + x + why);
                assertNull(receivedFrom.put(seq, r), "message " + Long.toHexString(seq) + " received twice" + why);
                boolean sameSpace = !prog.threads().get(r).remote() && !prog.threads().get(s).remote();
                assertEquals(sameSpace ? localIds[s] : ids[s], x.fromResult(), "From of " + x + " at thread " + r + why);
                if (x.from() != ThreadId.ANY) assertEquals(x.from(), ids[s], "a closed receive took another sender: " + x + why);
            }
        }
        for (int s = 0; s < n; s++) {
            Set<Long> delivered = new HashSet<>();
            for (Ipc x : logs[s].ipcs) if (x.delivered()) delivered.add(x.seq());
            for (Ipc x : logs[s].ipcs) {
                if (!x.delivered()) continue;
                int dest = indexOf(ids, x.to());
                Integer by = receivedFrom.get(x.seq());
                // A receiver deleted before it could return from its receive never reports it.
                if (by == null) assertTrue(deleted.contains(dest), "a delivered message was never received: " + x + why);
                else assertEquals(dest, (int) by, "received by a thread it was not sent to: " + x + why);
            }
            if (!deleted.contains(s)) {
                // A sender still blocked in the receive phase of a Call or ReplyWait has not returned yet.
                for (long seq : logs[s].attempted)
                    if (receivedFrom.containsKey(seq) && seq != logs[s].currentSeq)
                        assertTrue(delivered.contains(seq), "received, but its sender saw its send fail: " + Long.toHexString(seq) + why);
            }
        }

        // Every blocking IPC returned exactly once, with an error something caused.
        boolean anyDeletion = !deleted.isEmpty();
        for (int i = 0; i < n; i++) {
            ThreadLog l = logs[i];
            String state = h.kernel().stateOf(ids[i]);
            int open = l.issued - l.returned;
            if (deleted.contains(i)) {
                assertTrue(open == 0 || open == 1, "thread " + i + why);
                assertEquals("free", state, why);
            } else if (l.done) {
                assertEquals(0, open, why);
                assertEquals(prog.threads().get(i).ops().size(), l.returned, why);
                assertEquals("halted", state, "thread " + i + why);
            } else {
                // Still blocked: only possible with a never timeout in the phase it is blocked in.
                assertEquals(1, open, "thread " + i + " neither done nor blocked in one IPC" + why);
                Op op = l.current;
                if (state.equals("polling")) {
                    assertEquals(Timeout.NEVER, op.kind() == Kind.REPLY_WAIT ? Timeout.ZERO : op.snd(), "thread " + i + " stuck sending" + why);
                } else {
                    assertEquals("waiting_forever", state, "thread " + i + why);
                    assertEquals(Timeout.NEVER, op.rcv(), "thread " + i + " stuck receiving" + why);
                }
            }
            int canceled = 0, aborted = 0;
            for (Ipc x : l.ipcs) {
                if (!x.failed()) continue;
                assertEquals(0, IpcError.offset(x.errorCode()), why);
                // MR0: E only, except a send phase that blocked and was ended (timeout, cancel,
                // abort, or the destination's deletion): the original tag with E (§8.7).
                long sentTag = MsgTag.make(0x100 + i, 2 + x.op().extraWords(), 0) | MsgTag.FLAG_ERROR;
                if (x.phase() == IpcError.PHASE_RECEIVE || (x.error() == IpcError.TIMEOUT && x.snd() == Timeout.ZERO))
                    assertEquals(MsgTag.ERROR_TAG, x.tag(), "MR0 of " + x + why);
                else if (x.error() == IpcError.NO_PARTNER)      // at once (E only) or after blocking
                    assertTrue(x.tag() == MsgTag.ERROR_TAG || x.tag() == sentTag, "MR0 of " + x + why);
                else
                    assertEquals(sentTag, x.tag(), "MR0 of " + x + why);
                switch (x.error()) {
                    case IpcError.TIMEOUT -> {
                        int t = x.phase() == IpcError.PHASE_SEND ? x.snd() : x.rcv();
                        assertNotEquals(Timeout.NEVER, t, "timed out with a never timeout: " + x + why);
                        assertTrue(x.elapsedMicros() >= Timeout.periodMicros(t) || t == Timeout.ZERO,
                                "timed out before its period: " + x + why);
                        // Blocked on a specific partner when that partner was deleted: the
                        // deletion, not the later deadline, must have ended the IPC.
                        if (t != Timeout.ZERO && (x.op().kind() == Kind.SEND || x.op().kind() == Kind.RECEIVE || x.op().kind() == Kind.CALL)) {
                            Long del = deletedAt.get(indexOf(ids, x.op().kind() == Kind.RECEIVE ? x.from() : x.to()));
                            assertFalse(del != null && x.startMicros() + 2 <= del && x.startMicros() + Timeout.periodMicros(t) >= del + 2,
                                    "still blocked on a partner deleted at " + del + ", then timed out: " + x + why);
                        }
                    }
                    case IpcError.NO_PARTNER -> {
                        long partner = x.phase() == IpcError.PHASE_SEND ? x.to() : x.from();
                        int p = indexOf(ids, partner);
                        assertTrue(p >= 0 && deleted.contains(p), "non-existing partner that exists: " + x + why);
                    }
                    case IpcError.CANCELED -> canceled++;
                    case IpcError.ABORTED -> aborted++;
                    default -> fail("unexpected error " + x + why);
                }
                if (x.phase() == IpcError.PHASE_SEND) assertNotEquals(ThreadId.NIL, x.to(), why);
                else assertNotEquals(ThreadId.NIL, x.from(), why);
            }
            int hits = cancelHits.getOrDefault(i, 0);
            assertTrue(canceled <= hits, "thread " + i + " canceled " + canceled + " times, cancels hit " + hits + why);
            assertTrue(aborted == 0 || anyDeletion || !cancelHits.isEmpty(), "aborted without a cause" + why);
            if (!deleted.contains(i)) assertTrue(canceled + aborted >= hits, "a cancel was lost at thread " + i + why);
        }
        StringBuilder transcript = new StringBuilder(why).append("\nclock ").append(h.kernel().machine().clock().nowNs())
                .append(" ns, ").append(h.kernel().switches()).append(" switches");
        for (int i = 0; i < n; i++)
            for (Ipc x : logs[i].ipcs) transcript.append("\n").append(i).append(": ").append(x).append(' ').append(java.util.Arrays.toString(x.msg()));
        return transcript.toString();
    }

    /** ExchangeRegisters(r|s) on thread t; counts it when the thread was in an IPC. */
    static void cancel(IpcScenario.Root root, long[] ids, int t, Map<Integer, Integer> hits, List<String> log) {
        long r = root.l4.exchangeRegisters(ids[t], ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
        long was = r == ThreadId.NIL ? -1 : root.l4.reg(0);
        if (was > 0 && (was & (ExRegs.WAS_SENDING | ExRegs.WAS_RECEIVING)) != 0) {
            hits.merge(t, 1, Integer::sum);
            log.add("cancel " + t + " was " + was);
        }
    }

    static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) if (ids[i] == id) return i;
        return -1;
    }
}
