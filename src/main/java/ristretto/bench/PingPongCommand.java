package ristretto.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.ListStatistics;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ristretto.system.JvmOptions;

/**
 * {@code ristretto bench pingpong}: Ristretto's IPC round trip ({@link PingPong}) beside the JVM's
 * own switching mechanisms ({@link JvmPeers}), all measured by JMH in one run and printed as one
 * table in nanoseconds per round trip, with each case's ratio to both continuation floors: the
 * dispatcher-loop ping-pong ({@link #FLOOR}) and the nested round trip ({@link #NESTED_FLOOR}).
 *
 * <p>Each case runs in its own forked JVM (Ristretto's {@link JvmOptions};
 * the virtual-thread peer also runs JMH's workers as virtual threads, see
 * {@link JvmPeers#vthreadHandoff}). The run goes round all cases several times, one fork per case
 * per round, rather than giving each case its forks back to back: a slow drift of the machine
 * (another job starting) then touches every case alike instead of skewing some ratios. The
 * reported figure is the median of all measurement iterations of a case, robust against the
 * interference spikes of a shared machine; their mean and its 99.9 % error are shown beside it.
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
    /** Flags of every forked JVM: Ristretto's ({@link JvmOptions}), and quiet JMH internals. */
    static final List<String> FORK_ARGS = Stream.concat(JvmOptions.ALL.stream(), Stream.of("--sun-misc-unsafe-memory-access=allow")).toList();

    /** One row of the table: a JMH benchmark method, its {@code variant} parameter, extra fork flags. */
    record Case(String name, String benchmark, String variant, List<String> extraJvmArgs) {
        static Case l4(String variant) { return new Case("l4.call." + variant, PingPong.class.getName() + ".call", variant, List.of()); }

        static Case jvm(String name, String method, String... extraJvmArgs) {
            return new Case(name, JvmPeers.class.getName() + "." + method, null, List.of(extraJvmArgs));
        }
    }

    static final List<Case> CASES = List.of(
            Case.jvm(FLOOR, "continuationPingpong"),
            Case.jvm(NESTED_FLOOR, "continuationNested"),
            Case.l4("same-space.0w"),
            Case.l4("same-space.8w"),
            Case.l4("cross-space.0w"),
            Case.l4("cross-space.8w"),
            Case.l4("cross-space.63w"),
            Case.l4("cross-space.0w.slowpath"),
            Case.l4("cross-space.0w.nolazy"),
            Case.l4("cross-space.0w.nodirect"),
            new Case("l4.threadswitch", PingPong.class.getName() + ".threadSwitch", null, List.of()),
            Case.jvm("jvm.vthread-handoff", "vthreadHandoff", "-Djmh.executor=VIRTUAL"),
            Case.jvm("jvm.synchronousqueue.platform", "synchronousQueuePlatform"),
            Case.jvm("jvm.exchanger.platform", "exchangerPlatform"));

    @Option(names = "--quick", description = "one short fork per case (under a minute in all), for a smoke run")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "also write [{\"case\": NAME, \"ns_per_roundtrip\": X}, ...] to FILE"
            + " (with --gc, also \"gc_alloc_bytes_per_roundtrip\")")
    Path json;

    @Option(names = "--gc", description = "add JMH's GC profiler: allocation per round trip (gc.alloc.rate.norm)")
    boolean gc;

    @Option(names = "--prof", paramLabel = "PROFILER[:OPTIONS]", description = "add a JMH profiler by name (e.g. stack, perfnorm); repeatable")
    List<String> profilers = new ArrayList<>();

    @Option(names = "--cases", split = ",", paramLabel = "NAME", description = "run only these cases (names as in the table)")
    List<String> only;

    @Option(names = "--rounds", paramLabel = "N", description = "rounds over all cases, one fork per case each (default: 5, --quick: 1)")
    Integer rounds;

    @Option(names = "--verbose", description = "show JMH's own output (on stderr)")
    boolean verbose;

    @Override public Integer call() throws IOException {
        List<String> known = CASES.stream().map(Case::name).toList();
        if (only != null && !known.containsAll(only)) {
            System.err.println("pingpong: unknown case in " + only + "; cases are: " + known);
            return 2;
        }
        int rounds = this.rounds != null ? this.rounds : quick ? 1 : 5;
        if (rounds < 1) {
            System.err.println("pingpong: --rounds must be at least 1");
            return 2;
        }
        List<Case> cases = only == null ? CASES : CASES.stream().filter(c -> only.contains(c.name())).toList();
        PrintStream out = System.out;
        out.printf("pingpong: %d cases, %s mode: %d round(s) of one fork per case, each %s; %d round trips per L4 invocation%n",
                cases.size(), quick ? "quick" : "full", rounds, describeRun(), PingPong.BATCH);
        out.println("machine: " + describeMachine());
        Map<String, Samples> samples = new LinkedHashMap<>();
        for (Case c : cases) samples.put(c.name(), new Samples());
        boolean failed = false;
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                Samples sm = samples.get(c.name());
                String progress = String.format("[round %d/%d, %2d/%d] %-32s ", round, rounds, i + 1, cases.size(), c.name());
                long t0 = System.nanoTime();
                if (sm.failed) {
                    System.err.println(progress + "skipped (failed before)");
                    continue;
                }
                try {       // the line is printed when done: JMH and the forks may print warnings meanwhile
                    sm.add(new Runner(options(c), OutputFormatFactory.createFormatInstance(System.err,
                            verbose ? VerboseMode.NORMAL : VerboseMode.SILENT)).runSingle());
                    System.err.printf("%s%s ns  (%.0f s)%n", progress, fmt(sm.times.getPercentile(50)), (System.nanoTime() - t0) / 1e9);
                } catch (RunnerException | RuntimeException e) {
                    if (rootMessage(e).contains("JMH lock")) {   // another benchmark run owns the machine
                        System.err.println(progress + "aborted: another JMH run holds its lock; run again when it is done");
                        return 1;
                    }
                    sm.failed = failed = true;
                    System.err.println(progress + "FAILED: " + rootMessage(e));
                }
            }
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        samples.forEach((name, sm) -> rows.put(name, sm.row()));
        printTable(out, rows);
        printTargets(out, rows);
        if (json != null) {
            writeJson(json, rows);
            out.println("wrote " + json);
        }
        return failed ? 1 : 0;
    }

    private String describeRun() {
        return quick ? "1 warmup x 1 s, 3 iterations x 0.25 s" : "3 warmups x 1 s, 5 iterations x 1 s";
    }

    /** JDK, CPU count and model (from /proc/cpuinfo where there is one): what the figures depend on. */
    static String describeMachine() {
        String model = "";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
        } catch (IOException | RuntimeException e) {
            // not Linux: the model stays unknown
        }
        return String.format("JDK %s (%s), %d CPUs%s", Runtime.version(), System.getProperty("java.vendor"),
                Runtime.getRuntime().availableProcessors(), model.isEmpty() ? "" : ", " + model);
    }

    /** JMH options for one case; explicit fork flags replace the annotations' (same flags). */
    private org.openjdk.jmh.runner.options.Options options(Case c) {
        List<String> jvmArgs = new ArrayList<>(FORK_ARGS);
        jvmArgs.addAll(c.extraJvmArgs());
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote(c.benchmark()) + "$")
                .forks(1)
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .shouldFailOnError(true);
        if (quick) {
            b.warmupIterations(1).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(250));
        } else {
            b.warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        if (c.variant() != null) b.param("variant", c.variant());
        if (gc) b.addProfiler(GCProfiler.class);
        for (String p : profilers) {
            int colon = p.indexOf(':');
            if (colon < 0) b.addProfiler(p);
            else b.addProfiler(p.substring(0, colon), p.substring(colon + 1));
        }
        return b.build();
    }

    /** Every measurement iteration of one case, pooled over the rounds (one fork each). */
    static final class Samples {
        final ListStatistics times = new ListStatistics();
        final ListStatistics alloc = new ListStatistics();
        boolean failed;

        void add(RunResult r) {
            for (BenchmarkResult fork : r.getBenchmarkResults())
                for (IterationResult it : fork.getIterationResults()) times.addValue(it.getPrimaryResult().getScore());
            Result<?> a = r.getSecondaryResults().get("gc.alloc.rate.norm");
            if (a != null) alloc.addValue(a.getScore());
        }

        Row row() {
            if (failed || times.getN() == 0) return Row.FAILED;
            return new Row(times.getPercentile(50), times.getMean(), times.getN() > 1 ? times.getMeanErrorAt(0.999) : Double.NaN,
                    alloc.getN() == 0 ? Double.NaN : alloc.getMean());
        }
    }

    /** What the table shows of one case: ns per round trip, and bytes allocated per round trip if profiled. */
    record Row(double median, double mean, double error, double allocBytes) {
        static final Row FAILED = new Row(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        boolean failed() { return Double.isNaN(median); }
    }

    private void printTable(PrintStream out, Map<String, Row> rows) {
        Row floor = rows.get(FLOOR), nested = rows.get(NESTED_FLOOR);
        out.println();
        out.printf("%-32s %12s %22s %15s %15s%s%n", "case", "ns/roundtrip", "JMH mean ± 99.9% err", "x cont-pingpong",
                "x cont-nested", gc ? String.format(" %12s", "B/roundtrip") : "");
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            if (r.failed()) {
                out.printf("%-32s %12s%n", e.getKey(), "FAILED");
                continue;
            }
            out.printf("%-32s %12s %22s %15s %15s%s%n", e.getKey(), fmt(r.median), fmt(r.mean) + " ± " + fmt(r.error),
                    ratio(r, floor), ratio(r, nested), gc ? String.format(" %12s", fmt(r.allocBytes)) : "");
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
                out.printf("  %-10s %6.2fx%n", v, r.median / base.median);
        }
    }

    private static void target(PrintStream out, Map<String, Row> rows, String a, String b, double limit, String op) {
        target(out, rows, a, b, "target", limit, op);
    }

    /** Prints {@code a / b} and whether it meets the bound; {@code kind} names it ("target", "goal"). */
    private static void target(PrintStream out, Map<String, Row> rows, String a, String b, String kind, double limit, String op) {
        Row ra = rows.get(a), rb = rows.get(b);
        if (ra == null || rb == null || ra.failed() || rb.failed()) return;
        double q = ra.median / rb.median;
        boolean met = op.equals("<=") ? q <= limit : q >= limit;
        out.printf("  %-30s / %-30s = %8.2f  (%s %s %s)  %s%n", a, b, q, kind, op, fmt(limit), met ? "met" : "NOT MET");
    }

    private static void writeJson(Path file, Map<String, Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder("[\n");
        int i = 0;
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            sb.append("  {\"case\": \"").append(e.getKey()).append("\", \"ns_per_roundtrip\": ")
                    .append(r.failed() ? "null" : String.format(Locale.ROOT, "%.3f", r.median));
            if (!Double.isNaN(r.allocBytes))
                sb.append(", \"gc_alloc_bytes_per_roundtrip\": ").append(String.format(Locale.ROOT, "%.4f", r.allocBytes));
            sb.append(++i < rows.size() ? "},\n" : "}\n");
        }
        Files.writeString(file, sb.append("]\n"));
    }

    private static String ratio(Row r, Row floor) {
        return floor == null || floor.failed() ? "" : String.format(Locale.ROOT, "%.2f", r.median / floor.median);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) return "-";
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 0.01 || v == 0 ? "%.2f" : "%.3g", v);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return String.valueOf(t.getMessage()).lines().findFirst().orElse(t.toString());
    }
}
