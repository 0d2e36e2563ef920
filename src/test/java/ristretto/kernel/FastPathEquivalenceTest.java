package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import ristretto.abi.ExRegs;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.kernel.sched.Processor;
import ristretto.abi.Timeout;
import ristretto.system.Harness;
import ristretto.user.Entry;
import ristretto.user.L4;

/**
 * The fast path is an optimisation only (§9.8): the same IPC programs, run once with it off and
 * once with it on (checked mode and tracing on both times, as {@link Harness#testOptions()}),
 * give identical recorded results, error codes, final virtual clock and kernel trace — and the
 * fast run really took the fast path. With lazy scheduling off or direct switching off the
 * message results are still the same (interleavings and traces may differ there).
 *
 * <p>Each program records, per thread, what every IPC returned (tag, words, From, error code);
 * the records are schedule-independent by construction (replies are functions of requests).
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class FastPathEquivalenceTest {

    /** The IPC programs: ping-pong that the fast path takes, and the slow-path cases around it. */
    enum Prog {
        PINGPONG_SAME_SPACE(true), PINGPONG_CROSS_SPACE(true), PINGPONG_LIPC(true), QUEUED_CLIENTS(true),
        TIMEOUTS(false), ERRORS(true), PROPAGATION(true), CANCEL(true), PRIORITIES(true), REDIRECTED(true),
        CALL_CHAIN(true), RING(true);

        /** Whether the fast path is hit at least once in this program (else never). */
        final boolean fast;

        Prog(boolean fast) { this.fast = fast; }
    }

    /** What one run recorded: per thread, one line per IPC. */
    static final class Record {
        final Map<String, List<String>> lines = new TreeMap<>();

        void add(String who, String line) { lines.computeIfAbsent(who, k -> new ArrayList<>()).add(line); }

        /** The outcome of the IPC just made, with the first {@code n} message words. */
        void ipc(String who, L4 l4, int n) {
            long tag = l4.mr(0);
            StringBuilder sb = new StringBuilder(MsgTag.toString(tag)).append(" from ").append(ThreadId.toString(l4.from()));
            if (MsgTag.isError(tag)) sb.append(" err ").append(IpcError.toString(l4.errorCode()));
            else for (int i = 1; i <= Math.min(n, MsgTag.u(tag)); i++) sb.append(' ').append(l4.mr(i));
            add(who, sb.toString());
        }
    }

    /** An echo server: replies label+1 and MRi*3+i until it receives label 0xE0F, which it acknowledges. */
    static Entry echoServer(Record r, String name) {
        return l4 -> {
            long tag = l4.waitAny();
            while (true) {
                long client = l4.from();
                if (MsgTag.isError(tag)) { r.ipc(name, l4, 0); tag = l4.waitAny(); continue; }
                if (MsgTag.label(tag) == 0xE0F) { l4.loadMsg(0xE10); l4.reply(client); r.ipc(name + " end", l4, 0); return; }
                int u = MsgTag.u(tag);
                for (int i = 1; i <= u; i++) l4.setMr(i, l4.mr(i) * 3 + i);
                l4.setMr(0, MsgTag.make(MsgTag.label(tag) + 1, u, 0));
                tag = l4.replyWait(client);
            }
        };
    }

    /** A client: Call with n = from..to words, then the end message. */
    static Entry pingClient(Record r, String name, long[] server, int serverIx, int from, int to, boolean lipc) {
        return l4 -> {
            long dest = lipc ? l4.localIdOf(server[serverIx]) : server[serverIx];
            for (int n = from; n <= to; n++) {
                l4.setMr(0, MsgTag.make(0x100 + n, n, 0));
                for (int i = 1; i <= n; i++) l4.setMr(i, 7L * i + n);
                if (lipc) l4.lcall(dest); else l4.call(dest);
                r.ipc(name, l4, n);
            }
            l4.loadMsg(0xE0F);
            if (lipc) l4.lcall(dest); else l4.call(dest);
            r.ipc(name + " end", l4, 0);
        };
    }

    static RootBody program(Prog p, Record r) {
        return switch (p) {
            case PINGPONG_SAME_SPACE -> root -> {
                long[] s = new long[1];
                s[0] = root.local(echoServer(r, "server"));
                root.local(pingClient(r, "client", s, 0, 0, 63, false));
            };
            case PINGPONG_CROSS_SPACE -> root -> {
                long[] s = new long[1];
                s[0] = root.remote(echoServer(r, "server"));
                root.remote(pingClient(r, "client", s, 0, 0, 63, false));
            };
            case PINGPONG_LIPC -> root -> {
                long[] s = new long[1];
                s[0] = root.local(echoServer(r, "server"));
                root.local(pingClient(r, "client", s, 0, 0, 20, true));
            };
            case QUEUED_CLIENTS -> root -> {           // the server's ReplyWait finds queued callers
                long[] s = new long[1];
                s[0] = root.local(l4 -> {
                    l4.sleepMicros(100);                  // all three clients queue meanwhile
                    long tag = l4.waitAny();
                    for (int served = 1; ; served++) {
                        long client = l4.from();
                        l4.loadMsg(MsgTag.label(tag) + 1, l4.mr(1) * 2);
                        tag = served < 15 ? l4.replyWait(client) : l4.reply(client);
                        if (served >= 15 || MsgTag.isError(tag)) break;
                    }
                });
                for (int c = 0; c < 3; c++) {
                    int cc = c;
                    root.remote(l4 -> {
                        for (int i = 0; i < 5; i++) {
                            l4.loadMsg(0x10 * cc, 100 * cc + i);
                            l4.call(s[0]);
                            r.ipc("client" + cc, l4, 1);
                        }
                    });
                }
            };
            case CALL_CHAIN -> root -> {            // Calls nested deeper than Processor.MAX_NESTED, across spaces
                int n = Processor.MAX_NESTED + 4;
                long[] s = new long[n];
                for (int i = n - 1; i >= 0; i--) {
                    int ii = i;
                    Entry server = l4 -> {
                        long tag = l4.waitAny();
                        while (!MsgTag.isError(tag)) {
                            long client = l4.from(), v = l4.mr(1);
                            if (ii + 1 < n) {
                                l4.loadMsg(0x20 + ii, v + 1);
                                l4.call(s[ii + 1]);
                                r.ipc("server" + ii, l4, 1);
                                v = l4.mr(1);
                            }
                            l4.loadMsg(0x40 + ii, v * 2);
                            tag = l4.replyWait(client);
                        }
                        r.ipc("server" + ii + " end", l4, 0);
                    };
                    s[i] = i % 2 == 0 ? root.local(server) : root.remote(server);
                }
                root.local(l4 -> {
                    for (int k = 0; k < 4; k++) {
                        l4.loadMsg(0x10, k);
                        l4.call(s[0]);
                        r.ipc("client", l4, 1);
                    }
                });
            };
            case RING -> root -> {                  // each ReplyWait hands the CPU to the next of three: not LIFO
                long[] ring = new long[3];
                for (int i = 0; i < 3; i++) {
                    int ii = i;
                    ring[i] = root.local(l4 -> {
                        long tag = l4.waitAny();
                        while (!MsgTag.isError(tag) && l4.mr(1) < 30) {
                            r.ipc("ring" + ii, l4, 1);
                            l4.loadMsg(0x30 + ii, l4.mr(1) + 1);
                            tag = l4.replyWait(ring[(ii + 1) % 3]);
                        }
                        r.ipc("ring" + ii + " end", l4, 1);
                    });
                }
                root.l4.sleepMicros(100);                 // all three reach their first wait
                root.l4.loadMsg(0x30, 0);
                root.l4.send(ring[0]);
            };
            case TIMEOUTS -> root -> {
                long[] s = new long[1];
                s[0] = root.local(l4 -> {
                    for (int i = 0; i < 4; i++) {
                        l4.waitAny(Timeout.period(5000));
                        long client = l4.from();
                        r.ipc("server", l4, 1);
                        l4.sleepMicros(50);
                        l4.loadMsg(0x2, i);
                        l4.reply(client);
                        r.ipc("server reply", l4, 0);
                    }
                });
                root.local(l4 -> {
                    l4.loadMsg(0x1, 1);
                    l4.call(s[0], Timeout.NEVER, Timeout.period(200));   // answered in time
                    r.ipc("client", l4, 1);
                    l4.loadMsg(0x1, 2);
                    l4.call(s[0], Timeout.NEVER, Timeout.period(20));    // too late
                    r.ipc("client", l4, 1);
                    l4.sleepMicros(300);
                    l4.loadMsg(0x1, 3);
                    l4.call(s[0], Timeout.ZERO, Timeout.NEVER);          // zero send timeout: the server waits again
                    r.ipc("client", l4, 1);
                    l4.receive(l4.myGlobalId(), Timeout.period(10));
                    r.ipc("client sleep", l4, 0);
                    l4.loadMsg(0x1, 4);
                    l4.call(s[0]);
                    r.ipc("client", l4, 1);
                });
            };
            case ERRORS -> root -> {
                long dead = root.local(l4 -> {});
                long[] s = new long[1];
                s[0] = root.local(echoServer(r, "server"));
                root.local(l4 -> {
                    l4.sleepMicros(20);
                    l4.loadMsg(0x1);
                    l4.call(dead);
                    r.ipc("client", l4, 0);
                    l4.call(ThreadId.global(ThreadId.number(s[0]), 99));
                    r.ipc("client", l4, 0);
                    l4.setMr(0, MsgTag.make(0x3, 1, 2));
                    l4.call(s[0]);                                       // typed: overflow
                    r.ipc("client", l4, 0);
                    l4.loadMsg(0x4, 5);
                    l4.call(s[0]);
                    r.ipc("client", l4, 1);
                    l4.receive(dead, Timeout.ZERO);
                    r.ipc("client", l4, 0);
                    l4.loadMsg(0xE0F);
                    l4.call(s[0]);
                    r.ipc("client", l4, 0);
                });
                root.sleep(10);
                root.kill(dead);
            };
            case PROPAGATION -> root -> {
                long[] id = new long[2];
                id[0] = root.local(l4 -> {                              // server
                    long tag = l4.waitAny();
                    r.ipc("server", l4, 1);
                    r.add("server", "actual " + ThreadId.toString(l4.actualSender()));
                    l4.loadMsg(MsgTag.label(tag) + 1, l4.mr(1) + 1);
                    l4.replyWait(l4.from());
                    r.ipc("server", l4, 1);
                });
                id[1] = root.local(l4 -> {                              // propagator
                    l4.waitAny();
                    long client = l4.from();
                    l4.setVirtualSender(client);
                    l4.setMr(0, l4.mr(0) | MsgTag.FLAG_PROPAGATED);
                    l4.send(id[0]);
                    r.ipc("propagator", l4, 0);
                });
                root.remote(l4 -> {
                    l4.loadMsg(0x30, 1);
                    l4.call(id[1]);
                    r.ipc("client", l4, 1);
                    l4.loadMsg(0x40, 2);
                    l4.call(id[0]);                                      // the server is in ReplyWait
                    r.ipc("client", l4, 1);
                });
            };
            case CANCEL -> root -> {
                long[] s = new long[2];
                s[0] = root.local(l4 -> {
                    l4.waitAny();
                    long client = l4.from();
                    r.ipc("server", l4, 0);
                    l4.sleepMicros(100);
                    l4.loadMsg(0x2);
                    l4.reply(client);
                    r.ipc("server", l4, 0);
                });
                s[1] = root.local(l4 -> {
                    l4.loadMsg(0x1);
                    l4.call(s[0]);                                       // fast path, then cancelled
                    r.ipc("client", l4, 0);
                });
                root.sleep(50);
                root.l4.exchangeRegisters(s[1], ExRegs.CANCEL_RECV, 0, 0, 0, 0, ThreadId.NIL);
                r.add("root", "cancel control " + root.l4.reg(0));
            };
            case PRIORITIES -> root -> {
                long[] s = new long[1];
                s[0] = root.local(echoServer(r, "server"));
                long hi = root.remote(pingClient(r, "hi", s, 0, 1, 8, false));
                long lo = root.remote(pingClient(r, "lo", s, 0, 9, 12, false));
                root.prio(s[0], 50);
                root.prio(hi, 200);
                root.prio(lo, 20);
            };
            case REDIRECTED -> root -> {
                long[] id = new long[2];
                id[0] = root.local(l4 -> {                              // redirector: forwards once
                    long tag = l4.waitAny();
                    r.ipc("redirector", l4, 1);
                    l4.setVirtualSender(l4.from());
                    l4.setMr(0, tag | MsgTag.FLAG_PROPAGATED);
                    l4.send(l4.intendedReceiver());
                    r.ipc("redirector", l4, 0);
                });
                id[1] = root.local(echoServer(r, "server"));
                long a = root.remote(l4 -> {
                    l4.loadMsg(0x50, 1);
                    l4.call(id[1]);
                    r.ipc("client", l4, 1);
                });
                root.l4.spaceControl(a, 0, 0, 0, id[0]);
            };
        };
    }

    record Run(Record record, long clockNs, long switches, List<String> trace, long fastHits, List<String> violations) {}

    static Run run(Prog p, Kernel.Options options) {
        Record r = new Record();
        Harness h = IpcScenario.run(options, program(p, r));
        List<String> violations = new ArrayList<>(IpcInspector.violations(h.kernel()));
        violations.addAll(h.kernel().invariantViolations());
        return new Run(r, h.kernel().machine().clock().nowNs(), h.kernel().switches(), h.traceLines(),
                h.kernel().trace().fastPathHits, violations);
    }

    @ParameterizedTest
    @EnumSource(Prog.class)
    void theFastPathChangesNothingButSpeed(Prog p) {
        Kernel.Options base = Harness.testOptions();
        Run slow = run(p, base.withFastPath(false));
        Run fast = run(p, base.withFastPath(true));
        assertEquals(0, slow.fastHits());
        if (p.fast) assertTrue(fast.fastHits() > 0, "the fast path was never taken");
        else assertEquals(1, fast.fastHits(), "receive timeouts keep every rendezvous off the fast path "
                + "but the root task's request to sigma0 for its memory, before main");
        assertFalse(slow.record().lines.isEmpty());
        assertEquals(slow.record().lines, fast.record().lines);
        assertEquals(slow.clockNs(), fast.clockNs(), "final virtual clock");
        assertEquals(slow.trace(), fast.trace());
        assertEquals(List.of(), slow.violations());
        assertEquals(List.of(), fast.violations());
    }

    /**
     * Tracing off — how users and the benchmarks run — changes nothing observable: with the fast
     * path on (its commit then skips the out-of-line extras) and off, the same messages, error
     * codes and From IDs, the same final clock and the same number of thread switches as the
     * traced run, which really took the fast path where the program allows it.
     */
    @ParameterizedTest
    @EnumSource(Prog.class)
    void tracingOffChangesNoObservableResult(Prog p) {
        Kernel.Options traced = Harness.testOptions(), untraced = traced.withTracing(false);
        Run reference = run(p, traced);
        if (p.fast) assertTrue(reference.fastHits() > 0, "the fast path was never taken");
        for (Run r : List.of(run(p, untraced), run(p, untraced.withFastPath(false)))) {
            assertEquals(List.of(), r.trace(), "nothing traced");
            assertEquals(reference.record().lines, r.record().lines);
            assertEquals(reference.clockNs(), r.clockNs(), "final virtual clock");
            assertEquals(reference.switches(), r.switches(), "thread switches");
            assertEquals(List.of(), r.violations());
        }
    }

    @ParameterizedTest
    @EnumSource(Prog.class)
    void eagerSchedulingAndNoDirectSwitchGiveTheSameMessageResults(Prog p) {
        Kernel.Options base = Harness.testOptions();
        Run reference = run(p, base);
        Function<Kernel.Options, Run> with = o -> run(p, o);
        Run eager = with.apply(base.withLazyScheduling(false));
        Run noDirect = with.apply(base.withDirectSwitch(false));
        Run neither = with.apply(base.withLazyScheduling(false).withDirectSwitch(false).withFastPath(false));
        assertEquals(reference.record().lines, eager.record().lines, "lazy scheduling off");
        assertEquals(reference.record().lines, noDirect.record().lines, "direct switch off");
        assertEquals(reference.record().lines, neither.record().lines, "all optimisations off");
        assertEquals(0, noDirect.fastHits(), "the fast path needs direct switching");
        for (Run r : List.of(eager, noDirect, neither)) assertEquals(List.of(), r.violations());
    }
}
