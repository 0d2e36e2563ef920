package ristretto.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import ristretto.bench.JmhRounds.Case;
import ristretto.bench.JmhRounds.Row;
import ristretto.system.JvmOptions;

/**
 * {@code ristretto bench pingpong}: Ristretto's IPC round trip ({@link PingPong}) beside the JVM's
 * own switching mechanisms ({@link JvmPeers}), all measured by JMH in one run and printed as one
 * table in nanoseconds per round trip, with each case's ratio to both continuation floors: the
 * dispatcher-loop ping-pong ({@link #FLOOR}) and the nested round trip ({@link #NESTED_FLOOR}).
 *
 * <p>Each case runs in its own forked JVM (Ristretto's {@link JvmOptions}; the virtual-thread peer
 * also runs JMH's workers as virtual threads, see {@link JvmPeers#vthreadHandoff}), in rounds over
 * all cases, and reports the median of its iterations ({@link JmhRounds}).
 */
@Command(name = "pingpong", mixinStandardHelpOptions = true,
        description = "IPC round trips (Pistachio's pingpong) against JVM switching peers, under JMH.")
public final class PingPongCommand implements Callable<Integer> {

    /** The original floor: two continuations alternating through a dispatcher loop ({@link ContinuationPingPong}). */
    static final String FLOOR = "jvm.continuation-pingpong";
    /**
     * The honest floor: one continuation mounted on the caller's stack and yielding back
     * ({@link ContinuationNested}), the switches of an L4 Call on the fast path, which nests the
     * server on the caller's stack. The dispatcher loop does twice that continuation work.
     */
    static final String NESTED_FLOOR = "jvm.continuation-nested";

    /** A Call/ReplyWait round trip of {@link PingPong}, in the layout and kernel variant named. */
    static Case l4(String variant) { return Case.of("l4.call." + variant, PingPong.class, "call", variant); }

    /** A JVM switching peer of {@link JvmPeers}. */
    static Case jvm(String name, String method, String... extraJvmArgs) {
        return new Case(name, JvmPeers.class.getName() + "." + method, null, List.of(extraJvmArgs));
    }

    static final List<Case> CASES = List.of(
            jvm(FLOOR, "continuationPingpong"),
            jvm(NESTED_FLOOR, "continuationNested"),
            l4("same-space.0w"),
            l4("same-space.8w"),
            l4("cross-space.0w"),
            l4("cross-space.8w"),
            l4("cross-space.63w"),
            l4("cross-space.0w.slowpath"),
            l4("cross-space.0w.nolazy"),
            l4("cross-space.0w.nodirect"),
            Case.of("l4.threadswitch", PingPong.class, "threadSwitch", null),
            jvm("jvm.vthread-handoff", "vthreadHandoff", "-Djmh.executor=VIRTUAL"),
            jvm("jvm.synchronousqueue.platform", "synchronousQueuePlatform"),
            jvm("jvm.exchanger.platform", "exchangerPlatform"));

    @Mixin JmhRounds.Options options = new JmhRounds.Options();

    @Override public Integer call() throws IOException {
        JmhRounds.Outcome run = JmhRounds.run("pingpong", CASES, options, PingPong.BATCH + " round trips per L4 invocation");
        if (run.rows().isEmpty()) return run.exitCode();
        PrintStream out = System.out;
        printTable(out, run.rows());
        printTargets(out, run.rows());
        if (options.json != null) {
            JmhRounds.writeJson(options.json, run.rows(), "ns_per_roundtrip", "gc_alloc_bytes_per_roundtrip");
            out.println("wrote " + options.json);
        }
        return run.exitCode();
    }

    private void printTable(PrintStream out, Map<String, Row> rows) {
        Row floor = rows.get(FLOOR), nested = rows.get(NESTED_FLOOR);
        out.println();
        out.printf("%-32s %12s %22s %15s %15s%s%n", "case", "ns/roundtrip", "JMH mean ± 99.9% err", "x cont-pingpong",
                "x cont-nested", options.gc ? String.format(" %12s", "B/roundtrip") : "");
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            if (r.failed()) {
                out.printf("%-32s %12s%n", e.getKey(), "FAILED");
                continue;
            }
            out.printf("%-32s %12s %22s %15s %15s%s%n", e.getKey(), fmt(r.median()), fmt(r.mean()) + " ± " + fmt(r.error()),
                    ratio(r, floor), ratio(r, nested), options.gc ? String.format(" %12s", fmt(r.allocBytes())) : "");
        }
    }

    /**
     * The targets, as ratios measured in this run: the same-space 0-word Call against the
     * honest (nested) floor, with its target and its goal; the default kernel's 0-word round trips
     * against the original floor and the JVM peers; then what each optimization is worth.
     */
    private static void printTargets(PrintStream out, Map<String, Row> rows) {
        out.println();
        out.println("targets (ratios in this run):");
        target(out, rows, "l4.call.same-space.0w", NESTED_FLOOR, "target", 1.3, "<=");
        target(out, rows, "l4.call.same-space.0w", NESTED_FLOOR, "goal", 1.15, "<=");
        target(out, rows, "l4.call.same-space.0w", FLOOR, 1.3, "<=");
        target(out, rows, "l4.call.cross-space.0w", FLOOR, 1.4, "<=");
        target(out, rows, "l4.call.cross-space.63w", FLOOR, 1.6, "<=");
        for (String c : List.of("l4.call.same-space.0w", "l4.call.cross-space.0w")) {
            target(out, rows, "jvm.vthread-handoff", c, 2, ">=");
            target(out, rows, "jvm.synchronousqueue.platform", c, 100, ">=");
        }
        out.println("slowdown when an optimization is removed (vs l4.call.cross-space.0w):");
        for (String v : List.of("slowpath", "nolazy", "nodirect")) {
            Row r = rows.get("l4.call.cross-space.0w." + v), base = rows.get("l4.call.cross-space.0w");
            if (r != null && base != null && !r.failed() && !base.failed())
                out.printf("  %-10s %6.2fx%n", v, r.median() / base.median());
        }
    }

    private static void target(PrintStream out, Map<String, Row> rows, String a, String b, double limit, String op) {
        target(out, rows, a, b, "target", limit, op);
    }

    /** Prints {@code a / b} and whether it meets the bound; {@code kind} names it ("target", "goal"). */
    private static void target(PrintStream out, Map<String, Row> rows, String a, String b, String kind, double limit, String op) {
        Row ra = rows.get(a), rb = rows.get(b);
        if (ra == null || rb == null || ra.failed() || rb.failed()) return;
        double q = ra.median() / rb.median();
        boolean met = op.equals("<=") ? q <= limit : q >= limit;
        out.printf("  %-30s / %-30s = %8.2f  (%s %s %s)  %s%n", a, b, q, kind, op, fmt(limit), met ? "met" : "NOT MET");
    }

    private static String ratio(Row r, Row floor) {
        return floor == null || floor.failed() ? "" : String.format(java.util.Locale.ROOT, "%.2f", r.median() / floor.median());
    }

    private static String fmt(double v) { return JmhRounds.fmt(v); }
}
