package ristretto.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import ristretto.kernel.Kernel;

/**
 * {@code bench strings} without JMH: its cases name real benchmarks, variants and sizes; a batch of
 * each strategy delivers its strings into the other space, whole, and no page faults after the
 * first; the scores are per message; the report prints the throughput table and the ratios with
 * their goals, and the JSON has one {@code {"case", "gb_per_s"}} object per case.
 */
class StringsBenchTest {

    @Test
    void everyCaseNamesABenchmarkOfItsSizeAndAKnownVariant() throws Exception {
        List<String> names = StringsCommand.CASES.stream().map(JmhRounds.Case::name).toList();
        assertEquals(names.size(), names.stream().distinct().count(), "case names are unique");
        for (String size : List.of("4k", "64k", "1m", "4m"))
            assertTrue(names.containsAll(List.of("string.copyinout." + size, "string.tempmap." + size, "jvm.segment.copy." + size)), size);
        assertEquals(12, names.size());
        for (JmhRounds.Case c : StringsCommand.CASES) {
            Method m = BenchCases.benchmarkOf(c);
            long size = StringsCommand.bytes(c.name());
            assertTrue(m.getName().endsWith(StringSystem.sizeName(size)), c.name() + " runs " + m.getName());
            assertTrue(c.variant().endsWith(StringSystem.sizeName(size)), c.name() + ": variant " + c.variant());
            assertEquals(Strings.BATCH_BYTES / size, m.getAnnotation(OperationsPerInvocation.class).value(), c.name() + ": per message");
        }
        StringSystem s = StringSystem.forVariant("tempmap.64k", Strings.BATCH_BYTES);
        assertEquals(Strings.BATCH_BYTES / (64 << 10), s.messages(), "a batch is BATCH_BYTES of messages");
        assertEquals(Kernel.Copy.TEMPORARY_MAPPING, StringSystem.strategy("tempmap"));
        assertThrows(IllegalArgumentException.class, () -> StringSystem.forVariant("tempmap.8m", 1));
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void batchesDeliverTheWholeStringAcrossSpacesWithoutFaults(Kernel.Copy copy) {
        for (long size : new long[] {4 << 10, 4 << 20}) {
            // A fault could not be served: the receiver's pager is the root task, busy sending; batch() would throw.
            StringSystem s = new StringSystem(copy, size, 2, false, 0);
            s.batch();
            s.batch();
            assertEquals(4, s.received());
            assertTrue(s.delivered(), s.name() + ": the receiver's buffer holds the string");
        }
    }

    @Test
    void theSegmentPeerCopiesTheWholeSource() {
        Strings.SegmentState st = new Strings.SegmentState();
        st.variant = "64k";
        st.allocate();
        try {
            assertEquals(StringSystem.pattern((64 << 10) - 1), (byte) new Strings().segment64k(st));
            assertEquals(-1, st.src.mismatch(st.dst));
            assertThrows(IllegalStateException.class, () -> new Strings().segment4k(st), "a variant of another size refuses");
        } finally {
            st.free();
        }
    }

    @Test
    void theReportPrintsThroughputAndRatiosWithGoalsAndTheJsonOneFigurePerCase(@TempDir Path dir) throws Exception {
        Map<String, JmhRounds.Row> rows = new LinkedHashMap<>();
        for (String size : StringsCommand.SIZES) {
            double ns = StringSystem.parseSize(size) / 10.0;             // the JVM copy at 10 GB/s
            rows.put("string.copyinout." + size, new JmhRounds.Row(ns * 4, ns * 4, 1, Double.NaN));
            rows.put("string.tempmap." + size, new JmhRounds.Row(ns * 1.25, ns * 1.25, 1, Double.NaN));
            rows.put("jvm.segment.copy." + size, new JmhRounds.Row(ns, ns, 1, Double.NaN));
        }
        rows.put("string.copyinout.4m", JmhRounds.Row.FAILED);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringsCommand.report(new PrintStream(bytes, true, StandardCharsets.UTF_8), rows);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("GB/s"), out);
        assertTrue(out.matches("(?s).*string\\.tempmap\\.1m\\s.*\\s10\\.0\\s.*"), "the JVM copy's 10 GB/s: " + out);
        assertTrue(out.matches("(?s).*string\\.tempmap\\.1m\\s+/ jvm\\.segment\\.copy\\.1m\\s+=\\s+0\\.80\\s+\\(goal >= 0\\.70\\)\\s+met.*"), out);
        assertTrue(out.matches("(?s).*string\\.copyinout\\.1m\\s+/ jvm\\.segment\\.copy\\.1m\\s+=\\s+0\\.25\\s+\\(goal >= 0\\.35\\)\\s+NOT MET.*"), out);
        assertTrue(out.matches("(?s).*string\\.tempmap\\.4k\\s+/ jvm\\.segment\\.copy\\.4k\\s+=\\s+0\\.80\\s+\\(reported\\)\n.*"), out);
        assertTrue(out.contains("string.copyinout.4m") && out.contains("FAILED"), out);
        assertFalse(out.contains("string.copyinout.4m   / "), "no ratio for a failed case");

        Path json = dir.resolve("strings.json");
        JmhRounds.writeJson(json, rows, "gb_per_s", StringsCommand::gbPerSecond, "gc_alloc_bytes_per_op");
        List<String> lines = Files.readAllLines(json);
        assertEquals("[", lines.getFirst());
        assertEquals("]", lines.getLast());
        assertEquals(12, lines.size() - 2);
        assertEquals("  {\"case\": \"jvm.segment.copy.4m\", \"gb_per_s\": 10.000}", lines.get(12));
        assertTrue(lines.contains("  {\"case\": \"string.tempmap.4m\", \"gb_per_s\": 8.000},"), lines::toString);
        assertTrue(lines.contains("  {\"case\": \"string.copyinout.4m\", \"gb_per_s\": null},"), lines::toString);
        for (String l : lines.subList(1, lines.size() - 1))
            assertTrue(l.matches("  \\{\"case\": \"[a-z.0-9]+\", \"gb_per_s\": (null|[0-9.]+)},?"), l);
    }
}
