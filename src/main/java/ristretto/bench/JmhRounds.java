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
import java.util.function.ToDoubleBiFunction;
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

import picocli.CommandLine.Option;
import ristretto.system.JvmOptions;

/**
 * What the bench commands ({@link PingPongCommand}, {@link SandboxCommand}, {@link MemoryCommand},
 * {@link StringsCommand}) share: their common options, and a run of named cases under JMH that
 * goes round all cases several times, one forked JVM per case per round, rather than giving each
 * case its forks back to back — a slow drift of
 * the machine (another job starting) then touches every case alike instead of skewing some ratios.
 * Each fork runs with Ristretto's {@link JvmOptions}. A case's figure is the median of all its
 * measurement iterations, robust against the interference spikes of a shared machine; their mean
 * and its 99.9 % error are kept beside it.
 */
final class JmhRounds {

    /** Flags of every forked JVM: Ristretto's ({@link JvmOptions}), and quiet JMH internals. */
    static final List<String> FORK_ARGS = Stream.concat(JvmOptions.ALL.stream(), Stream.of("--sun-misc-unsafe-memory-access=allow")).toList();

    /** One case: a JMH benchmark method, its {@code variant} parameter (or null), extra fork flags. */
    record Case(String name, String benchmark, String variant, List<String> extraJvmArgs) {
        static Case of(String name, Class<?> benchmarks, String method, String variant) {
            return new Case(name, benchmarks.getName() + "." + method, variant, List.of());
        }
    }

    /** The options every bench command takes (a picocli mixin). */
    static final class Options {
        @Option(names = "--quick", description = "one short fork per case, for a smoke run")
        boolean quick;

        @Option(names = "--json", paramLabel = "FILE", description = "also write the figures to FILE as a JSON array")
        Path json;

        @Option(names = "--gc", description = "add JMH's GC profiler: allocation per operation (gc.alloc.rate.norm)")
        boolean gc;

        @Option(names = "--prof", paramLabel = "PROFILER[:OPTIONS]", description = "add a JMH profiler by name (e.g. stack, perfnorm); repeatable")
        List<String> profilers = new ArrayList<>();

        @Option(names = "--cases", split = ",", paramLabel = "NAME", description = "run only these cases (names as in the table)")
        List<String> only;

        @Option(names = "--rounds", paramLabel = "N", description = "rounds over all cases, one fork per case each (default: 5, --quick: 1)")
        Integer rounds;

        @Option(names = "--verbose", description = "show JMH's own output (on stderr)")
        boolean verbose;

        String describeRun() {
            return quick ? "1 warmup x 1 s, 3 iterations x 0.25 s" : "3 warmups x 1 s, 5 iterations x 1 s";
        }
    }

    /** What a run answers: a row per case (in the cases' order), or why it could not run. */
    record Outcome(Map<String, Row> rows, boolean failed, int exitCode) {}

    private JmhRounds() {}

    /**
     * Runs {@code all} (or those {@code o.only} names) in rounds and answers their rows; a usage
     * error or another JMH run holding the machine ends it early with exit code 2 or 1 and no rows.
     * {@code header} describes the run on stdout before it starts.
     */
    static Outcome run(String command, List<Case> all, Options o, String header) {
        List<String> known = all.stream().map(Case::name).toList();
        if (o.only != null && !known.containsAll(o.only)) {
            System.err.println(command + ": unknown case in " + o.only + "; cases are: " + known);
            return new Outcome(Map.of(), true, 2);
        }
        int rounds = o.rounds != null ? o.rounds : o.quick ? 1 : 5;
        if (rounds < 1) {
            System.err.println(command + ": --rounds must be at least 1");
            return new Outcome(Map.of(), true, 2);
        }
        List<Case> cases = o.only == null ? all : all.stream().filter(c -> o.only.contains(c.name())).toList();
        PrintStream out = System.out;
        out.printf("%s: %d cases, %s mode: %d round(s) of one fork per case, each %s%s%n", command, cases.size(),
                o.quick ? "quick" : "full", rounds, o.describeRun(), header.isEmpty() ? "" : "; " + header);
        out.println("machine: " + describeMachine());
        Map<String, Samples> samples = new LinkedHashMap<>();
        for (Case c : cases) samples.put(c.name(), new Samples());
        boolean failed = false;
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                Samples sm = samples.get(c.name());
                String progress = String.format("[round %d/%d, %2d/%d] %-36s ", round, rounds, i + 1, cases.size(), c.name());
                long t0 = System.nanoTime();
                if (sm.failed) {
                    System.err.println(progress + "skipped (failed before)");
                    continue;
                }
                try {       // the line is printed when done: JMH and the forks may print warnings meanwhile
                    sm.add(new Runner(options(c, o), OutputFormatFactory.createFormatInstance(System.err,
                            o.verbose ? VerboseMode.NORMAL : VerboseMode.SILENT)).runSingle());
                    System.err.printf("%s%s ns  (%.0f s)%n", progress, fmt(sm.times.getPercentile(50)), (System.nanoTime() - t0) / 1e9);
                } catch (RunnerException | RuntimeException e) {
                    if (rootMessage(e).contains("JMH lock")) {   // another benchmark run owns the machine
                        System.err.println(progress + "aborted: another JMH run holds its lock; run again when it is done");
                        return new Outcome(Map.of(), true, 1);
                    }
                    sm.failed = failed = true;
                    System.err.println(progress + "FAILED: " + rootMessage(e));
                }
            }
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        samples.forEach((name, sm) -> rows.put(name, sm.row()));
        return new Outcome(rows, failed, failed ? 1 : 0);
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
    private static org.openjdk.jmh.runner.options.Options options(Case c, Options o) {
        List<String> jvmArgs = new ArrayList<>(FORK_ARGS);
        jvmArgs.addAll(c.extraJvmArgs());
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote(c.benchmark()) + "$")
                .forks(1)
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .shouldFailOnError(true);
        if (o.quick) {
            b.warmupIterations(1).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(250));
        } else {
            b.warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        }
        if (c.variant() != null) b.param("variant", c.variant());
        if (o.gc) b.addProfiler(GCProfiler.class);
        for (String p : o.profilers) {
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

    /** What the table shows of one case: ns per operation, and bytes allocated per operation if profiled. */
    record Row(double median, double mean, double error, double allocBytes) {
        static final Row FAILED = new Row(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        /** A figure not measured by JMH but exact (machine time, deterministic): no spread, no allocation. */
        static Row exact(double ns) { return new Row(ns, ns, Double.NaN, Double.NaN); }

        boolean failed() { return Double.isNaN(median); }
    }

    /** {@code [{"case": NAME, "<timeKey>": X, ("<allocKey>": Y)}, ...]}: the median; a failed case has {@code null}. */
    static void writeJson(Path file, Map<String, Row> rows, String timeKey, String allocKey) throws IOException {
        writeJson(file, rows, timeKey, (name, r) -> r.median, allocKey);
    }

    /**
     * {@code [{"case": NAME, "<key>": X, ("<allocKey>": Y)}, ...]} where X is {@code figure} of the
     * case's name and row (a figure derived from the median, such as a throughput); a failed case,
     * or a figure that is NaN, has {@code null}.
     */
    static void writeJson(Path file, Map<String, Row> rows, String key, ToDoubleBiFunction<String, Row> figure, String allocKey)
            throws IOException {
        StringBuilder sb = new StringBuilder("[\n");
        int i = 0;
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            double x = r.failed() ? Double.NaN : figure.applyAsDouble(e.getKey(), r);
            sb.append("  {\"case\": \"").append(e.getKey()).append("\", \"").append(key).append("\": ")
                    .append(Double.isNaN(x) ? "null" : String.format(Locale.ROOT, "%.3f", x));
            if (!Double.isNaN(r.allocBytes))
                sb.append(", \"").append(allocKey).append("\": ").append(String.format(Locale.ROOT, "%.4f", r.allocBytes));
            sb.append(++i < rows.size() ? "},\n" : "}\n");
        }
        Files.writeString(file, sb.append("]\n"));
    }

    /** {@code a / b} of two rows' medians, or NaN when either is missing or failed. */
    static double ratio(Map<String, Row> rows, String a, String b) {
        Row ra = rows.get(a), rb = rows.get(b);
        return ra == null || rb == null || ra.failed() || rb.failed() ? Double.NaN : ra.median / rb.median;
    }

    /** Prints {@code a / b} with a note, and whether it is within {@code limit} (none if NaN); nothing if either row is missing. */
    static void printRatio(PrintStream out, Map<String, Row> rows, String a, String b, String note, double limit) {
        printRatio(out, rows, a, b, 1, note, limit);
    }

    /** As above, of {@code a / (b / divisor)}: a per-message figure against a round trip's half, say. */
    static void printRatio(PrintStream out, Map<String, Row> rows, String a, String b, int divisor, String note, double limit) {
        printQuotient(out, a, divisor == 1 ? b : "(" + b + " / " + divisor + ")", ratio(rows, a, b) * divisor, note, limit, false);
    }

    /**
     * Prints the quotient {@code q} under the name {@code a / b} with a note, and whether it meets
     * {@code limit} (none if NaN): at least {@code limit} if {@code atLeast}, else at most; nothing
     * if {@code q} is NaN (a row missing or failed).
     */
    static void printQuotient(PrintStream out, String a, String b, double q, String note, double limit, boolean atLeast) {
        if (Double.isNaN(q)) return;
        String verdict = Double.isNaN(limit) ? "" : (atLeast ? q >= limit : q <= limit) ? "  met" : "  NOT MET";
        out.printf("  %-32s / %-28s = %8.2f  (%s)%s%n", a, b, q, note, verdict);
    }

    /**
     * The table of a run: per case its median (ns per operation), JMH's mean and error, and its
     * ratio to the {@code baseline} case's median.
     */
    static void printTable(PrintStream out, Map<String, Row> rows, String baseline) {
        Row base = rows.get(baseline);
        out.println();
        out.printf("%-28s %12s %22s %12s%n", "case", "ns/op", "JMH mean ± 99.9% err", "x " + baseline);
        rows.forEach((name, r) -> out.printf("%-28s %12s %22s %12s%n", name, r.failed() ? "FAILED" : fmt(r.median()),
                r.failed() ? "" : fmt(r.mean()) + " ± " + fmt(r.error()),
                r.failed() || base == null || base.failed() ? "" : fmt(r.median() / base.median())));
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "-";
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 0.01 || v == 0 ? "%.2f" : "%.3g", v);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return String.valueOf(t.getMessage()).lines().findFirst().orElse(t.toString());
    }
}
