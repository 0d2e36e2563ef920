package ristretto.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import ristretto.bench.JmhRounds.Case;
import ristretto.bench.JmhRounds.Row;

/**
 * {@code ristretto bench irq}: interrupt latency — a device raises its line, the handler's receive
 * returns — measured by JMH in one run ({@link JmhRounds}) beside the cross-space IPC round trip
 * ({@link PingPong#call}): {@code irq.latency} is {@link Irq#latency} on an {@link IrqSystem}, in
 * nanoseconds per interrupt (what one operation contains, and why it compares with half a round
 * trip: {@link Irq}). Also the same latency in the simulated machine's clock, {@code
 * irq.latency.virtual}: deterministic, so measured once, in this JVM, over {@value
 * #VIRTUAL_INTERRUPTS} interrupts of one booted system. Prints the table and the ratio the issue
 * sets a goal for: {@code irq.latency / (l4.call.cross-space.0w / 2)} ≤ 1.5.
 */
@Command(name = "irq", mixinStandardHelpOptions = true,
        description = "Interrupt latency (device raises to handler receives) against a one-way IPC, under JMH.")
public final class IrqCommand implements Callable<Integer> {

    static final String CALL = MemoryCommand.CALL, LATENCY = "irq.latency", VIRTUAL = "irq.latency.virtual";
    /** The goal for the latency against a one-way IPC (half the round trip). */
    static final double GOAL = 1.5;
    /** Interrupts of the machine-time measurement. */
    static final int VIRTUAL_INTERRUPTS = 10_000;

    static final List<Case> CASES = List.of(
            PingPongCommand.l4("cross-space.0w"),
            Case.of(LATENCY, Irq.class, "latency", null));

    @Mixin JmhRounds.Options options = new JmhRounds.Options();

    /** The latency in machine time (ns): mean and maximum over {@code n} interrupts of one booted system. */
    record Virtual(double meanNs, long maxNs, long interrupts) {
        static Virtual measure(int n) {
            IrqSystem s = IrqSystem.boot();
            s.interrupts(n);
            return new Virtual(s.virtualLatencyMeanNs(), s.virtualLatencyMaxNs(), s.handled());
        }
    }

    @Override public Integer call() throws IOException {
        Virtual v = Virtual.measure(VIRTUAL_INTERRUPTS);
        JmhRounds.Outcome run = JmhRounds.run("irq", CASES, options, Irq.BATCH + " interrupts per invocation; ns per interrupt or round trip");
        if (run.rows().isEmpty()) return run.exitCode();
        Map<String, Row> rows = withVirtual(run.rows(), v);
        report(System.out, rows, v);
        if (options.json != null) {
            JmhRounds.writeJson(options.json, rows, "ns", "gc_alloc_bytes_per_op");
            System.out.println("wrote " + options.json);
        }
        return run.exitCode();
    }

    /** The run's rows and, last, the machine-time latency as a row of its own (as the JSON has it). */
    static Map<String, Row> withVirtual(Map<String, Row> measured, Virtual v) {
        Map<String, Row> rows = new LinkedHashMap<>(measured);
        rows.put(VIRTUAL, Row.exact(v.meanNs()));
        return rows;
    }

    /** The table (JMH's cases; the machine-time row on a line of its own) and the ratios. */
    static void report(PrintStream out, Map<String, Row> rows, Virtual v) {
        Map<String, Row> measured = new LinkedHashMap<>(rows);
        measured.remove(VIRTUAL);
        JmhRounds.printTable(out, measured, CALL);
        out.printf("%-28s %12s   machine time, mean of %d interrupts (max %d ns); not JMH%n", VIRTUAL, JmhRounds.fmt(v.meanNs()),
                v.interrupts(), v.maxNs());
        out.println();
        out.println("ratios in this run:");
        JmhRounds.printRatio(out, rows, LATENCY, CALL, 2, "goal <= " + GOAL + "; per interrupt / per one-way IPC", GOAL);
        JmhRounds.printRatio(out, rows, LATENCY, CALL, "per interrupt / per round trip", Double.NaN);
    }
}
