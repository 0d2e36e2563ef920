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

/**
 * {@code ristretto bench memory}: what the memory mechanisms cost, measured by JMH in one run
 * ({@link JmhRounds}) beside the cross-space IPC round trip ({@link PingPong#call}): the page-fault
 * round trip, map items of 1, 64 and 1024 pages, Unmap of trees of 1, 1,000 and 100,000 mappings
 * ({@link Memory}, on a {@link MemorySystem}), and user loads and stores that hit the TLB beside a
 * plain {@code MemorySegment} loop with the same access pattern. Prints nanoseconds per fault, page,
 * mapping or access, and the ratios the issue sets goals for.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = "Page-fault round trip, map and unmap per page, user loads and stores, under JMH.")
public final class MemoryCommand implements Callable<Integer> {

    static final String CALL = "l4.call.cross-space.0w", FAULT = "mem.fault.roundtrip";

    static final List<Case> CASES = List.of(
            PingPongCommand.l4("cross-space.0w"),
            Case.of(FAULT, Memory.class, "fault", "fault"),
            Case.of("mem.map.1", Memory.class, "map", "map.1"),
            Case.of("mem.map.64", Memory.class, "map", "map.64"),
            Case.of("mem.map.1024", Memory.class, "map", "map.1024"),
            Case.of("mem.unmap.1", Memory.class, "unmapSmall", "unmap.1"),
            Case.of("mem.unmap.1000", Memory.class, "unmap", "unmap.1000"),
            Case.of("mem.unmap.100000", Memory.class, "unmap", "unmap.100000"),
            Case.of("mem.load.tlbhit", Memory.class, "access", "load"),
            Case.of("jvm.segment.load", Memory.class, "segment", "load"),
            Case.of("mem.store.tlbhit", Memory.class, "access", "store"),
            Case.of("jvm.segment.store", Memory.class, "segment", "store"));

    @Mixin JmhRounds.Options options = new JmhRounds.Options();

    @Override public Integer call() throws IOException {
        JmhRounds.Outcome run = JmhRounds.run("memory", CASES, options, "ns per round trip, fault, page mapped, mapping revoked or access");
        if (run.rows().isEmpty()) return run.exitCode();
        PrintStream out = System.out;
        Map<String, Row> rows = run.rows();
        JmhRounds.printTable(out, rows, CALL);
        out.println();
        out.println("ratios in this run:");
        JmhRounds.printRatio(out, rows, FAULT, CALL, "goal <= 2.5; per fault / per round trip", 2.5);
        JmhRounds.printRatio(out, rows, "mem.map.1", "mem.map.1024", "per page: one page per IPC / 1024 per IPC", Double.NaN);
        JmhRounds.printRatio(out, rows, "mem.unmap.100000", "mem.unmap.1000", "goal <= 1.5; per mapping", 1.5);
        JmhRounds.printRatio(out, rows, "mem.unmap.1", "mem.unmap.1000", "per mapping: one per Unmap call / 1000 per call", Double.NaN);
        JmhRounds.printRatio(out, rows, "mem.load.tlbhit", "jvm.segment.load", "goal <= 4", 4);
        JmhRounds.printRatio(out, rows, "mem.store.tlbhit", "jvm.segment.store", "goal <= 4", 4);
        if (options.json != null) {
            JmhRounds.writeJson(options.json, rows, "ns_per_op", "gc_alloc_bytes_per_op");
            out.println("wrote " + options.json);
        }
        return run.exitCode();
    }
}
