package ristretto.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import ristretto.bench.JmhRounds.Case;
import ristretto.bench.JmhRounds.Row;

/**
 * {@code ristretto bench strings}: the throughput of long IPC, measured by JMH in one run
 * ({@link JmhRounds}): a string item of 4 KiB, 64 KiB, 1 MiB or 4 MiB sent from one space to
 * another per message ({@link Strings} on a {@link StringSystem}), for each copy strategy — copy
 * in / copy out ({@code string.copyinout.SIZE}) and temporary mapping ({@code string.tempmap.SIZE})
 * — beside {@code MemorySegment.copy} of the same size between two off-heap segments ({@code
 * jvm.segment.copy.SIZE}). Each case is timed in nanoseconds per message (or copy); the table
 * shows that and the throughput, GB/s = bytes / ns, and the ratios of each strategy's throughput
 * to the JVM copy's, with the goals at 1 MiB and 4 MiB.
 */
@Command(name = "strings", mixinStandardHelpOptions = true,
        description = "String IPC throughput (4k .. 4m, per copy strategy) against MemorySegment.copy, under JMH.")
public final class StringsCommand implements Callable<Integer> {

    static final List<String> SIZES = List.of("4k", "64k", "1m", "4m");
    static final String COPY_IN_OUT = "copyinout", TEMP_MAP = "tempmap";
    /** Goals for {@code string.STRATEGY.SIZE / jvm.segment.copy.SIZE} in GB/s at the sizes in {@link #GOAL_SIZES}. */
    static final double TEMP_MAP_GOAL = 0.70, COPY_IN_OUT_GOAL = 0.35;
    static final List<String> GOAL_SIZES = List.of("1m", "4m");

    static String string(String strategy, String size) { return "string." + strategy + "." + size; }

    static String segment(String size) { return "jvm.segment.copy." + size; }

    static final List<Case> CASES = cases();

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        for (String size : SIZES) {
            c.add(Case.of(string(COPY_IN_OUT, size), Strings.class, "string" + size, COPY_IN_OUT + "." + size));
            c.add(Case.of(string(TEMP_MAP, size), Strings.class, "string" + size, TEMP_MAP + "." + size));
            c.add(Case.of(segment(size), Strings.class, "segment" + size, size));
        }
        return List.copyOf(c);
    }

    @Mixin JmhRounds.Options options = new JmhRounds.Options();

    @Override public Integer call() throws IOException {
        JmhRounds.Outcome run = JmhRounds.run("strings", CASES, options,
                "ns per message (one string item between two spaces) or per copy; " + (Strings.BATCH_BYTES >> 20) + " MiB per invocation");
        if (run.rows().isEmpty()) return run.exitCode();
        report(System.out, run.rows());
        if (options.json != null) {
            JmhRounds.writeJson(options.json, run.rows(), "gb_per_s", StringsCommand::gbPerSecond, "gc_alloc_bytes_per_op");
            System.out.println("wrote " + options.json);
        }
        return run.exitCode();
    }

    /** The bytes one operation of case {@code name} moves: its size, the last word of its name. */
    static long bytes(String name) { return StringSystem.parseSize(name.substring(name.lastIndexOf('.') + 1)); }

    /** GB/s of a row: bytes per nanosecond. */
    static double gbPerSecond(String name, Row r) { return r.failed() ? Double.NaN : bytes(name) / r.median(); }

    /** The table (ns per op, GB/s, x the JVM copy of the same size) and the throughput ratios with their goals. */
    static void report(PrintStream out, Map<String, Row> rows) {
        out.println();
        out.printf("%-26s %12s %22s %9s %14s%n", "case", "ns/op", "JMH mean ± 99.9% err", "GB/s", "x segment.copy");
        rows.forEach((name, r) -> {
            if (r.failed()) {
                out.printf("%-26s %12s%n", name, "FAILED");
                return;
            }
            double peer = throughputRatio(rows, name);
            out.printf("%-26s %12s %22s %9s %14s%n", name, JmhRounds.fmt(r.median()),
                    JmhRounds.fmt(r.mean()) + " ± " + JmhRounds.fmt(r.error()), JmhRounds.fmt(gbPerSecond(name, r)),
                    Double.isNaN(peer) ? "" : String.format(Locale.ROOT, "%.2f", peer));
        });
        out.println();
        out.println("throughput ratios in this run (GB/s of the string IPC / GB/s of MemorySegment.copy, same size):");
        for (String size : SIZES) {
            boolean goal = GOAL_SIZES.contains(size);
            ratio(out, rows, TEMP_MAP, size, goal ? TEMP_MAP_GOAL : Double.NaN);
            ratio(out, rows, COPY_IN_OUT, size, goal ? COPY_IN_OUT_GOAL : Double.NaN);
        }
    }

    /** {@code string.S.SIZE}'s GB/s over {@code jvm.segment.copy.SIZE}'s (NaN for a peer itself, or a row missing). */
    static double throughputRatio(Map<String, Row> rows, String name) {
        if (!name.startsWith("string.")) return Double.NaN;
        return JmhRounds.ratio(rows, segment(name.substring(name.lastIndexOf('.') + 1)), name);
    }

    private static void ratio(PrintStream out, Map<String, Row> rows, String strategy, String size, double goal) {
        String a = string(strategy, size);
        JmhRounds.printQuotient(out, a, segment(size), throughputRatio(rows, a),
                Double.isNaN(goal) ? "reported" : "goal >= " + String.format(Locale.ROOT, "%.2f", goal), goal, true);
    }
}
