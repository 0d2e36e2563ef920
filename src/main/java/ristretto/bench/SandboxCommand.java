package ristretto.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import ristretto.bench.JmhRounds.Case;
import ristretto.bench.JmhRounds.Row;

/**
 * {@code ristretto bench sandbox}: what it costs to run user code as a process — metered by
 * yieldpoints, checked at kernel entry — measured by JMH in one run ({@link JmhRounds}): the
 * compute kernels of {@link ComputeKernels} with yieldpoints and without ({@link Sandbox#compute},
 * on an L4 thread), the IPC round trip with the runtime check of kernel entries on and off
 * ({@link PingPong#call}), and loading a class with and without instrumenting it
 * ({@link Sandbox#load}). Prints nanoseconds per operation and the ratios the issue sets goals for.
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "The cost of yieldpoints on compute kernels, of the runtime check on IPC, and of loading a class, under JMH.")
public final class SandboxCommand implements Callable<Integer> {

    static final List<String> KERNELS = List.of("tight-loop", "array-sum", "recursion");
    static final String CALL = "l4.call.same-space.0w", CALL_CHECKED = CALL + ".checked";

    static final List<Case> CASES;
    static {
        List<Case> cases = new ArrayList<>();
        for (String k : KERNELS)
            for (String v : List.of("instrumented", "plain"))
                cases.add(Case.of("compute." + k + "." + v, Sandbox.class, "compute", k + "." + v));
        cases.add(PingPongCommand.l4("same-space.0w"));
        cases.add(PingPongCommand.l4("same-space.0w.checked"));
        cases.add(Case.of("load.class.instrumented", Sandbox.class, "load", "instrumented"));
        cases.add(Case.of("load.class.plain", Sandbox.class, "load", "plain"));
        CASES = List.copyOf(cases);
    }

    @Mixin JmhRounds.Options options = new JmhRounds.Options();

    @Override public Integer call() throws IOException {
        JmhRounds.Outcome run = JmhRounds.run("sandbox", CASES, options,
                Sandbox.BATCH + " kernel calls or " + PingPong.BATCH + " round trips per invocation");
        if (run.rows().isEmpty()) return run.exitCode();
        PrintStream out = System.out;
        Map<String, Row> rows = run.rows();
        out.println();
        out.printf("%-36s %12s %22s%n", "case", "ns/op", "JMH mean ± 99.9% err");
        rows.forEach((name, r) -> out.printf("%-36s %12s %22s%n", name, r.failed() ? "FAILED" : JmhRounds.fmt(r.median()),
                r.failed() ? "" : JmhRounds.fmt(r.mean()) + " ± " + JmhRounds.fmt(r.error())));
        out.println();
        out.println("ratios in this run:");
        for (String k : KERNELS) {
            String goal = k.equals("tight-loop") ? "reported" : "goal <= 1.15";
            JmhRounds.printRatio(out, rows, "compute." + k + ".instrumented", "compute." + k + ".plain", goal, k.equals("tight-loop") ? Double.NaN : 1.15);
        }
        JmhRounds.printRatio(out, rows, CALL_CHECKED, CALL, "goal <= 1.1; the carrier watch, as run and demo keep it on", 1.1);
        JmhRounds.printRatio(out, rows, "load.class.instrumented", "load.class.plain", "instrumenting on top of defining", Double.NaN);
        if (options.json != null) {
            JmhRounds.writeJson(options.json, rows, "ns_per_op", "gc_alloc_bytes_per_op");
            out.println("wrote " + options.json);
        }
        return run.exitCode();
    }
}
