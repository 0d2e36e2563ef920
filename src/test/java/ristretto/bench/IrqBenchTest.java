package ristretto.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import ristretto.kernel.Kernel;
import ristretto.kernel.thread.ThreadState;

/**
 * {@code bench irq}: its cases name real benchmarks, the benchmark's operation raises, delivers
 * and handles exactly one interrupt (counted by the device, the kernel's trace and the handler),
 * the machine-time latency is measured, and the command prints its table and the goal ratio and
 * writes the JSON array — checked without JMH.
 */
class IrqBenchTest {

    @Test
    void theCasesAreTheLatencyAndTheCrossSpaceRoundTripAsJmhBenchmarks() throws Exception {
        List<String> names = IrqCommand.CASES.stream().map(JmhRounds.Case::name).toList();
        assertEquals(List.of("l4.call.cross-space.0w", "irq.latency"), names);
        for (JmhRounds.Case c : IrqCommand.CASES) BenchCases.benchmarkOf(c);
        assertEquals(Irq.BATCH, Irq.class.getMethod("latency", Irq.SystemState.class).getAnnotation(OperationsPerInvocation.class).value());
    }

    @Test
    void everyOperationRaisesDeliversAndHandlesExactlyOneInterrupt() {
        IrqSystem s = IrqSystem.boot(Kernel.Options.defaults().withTracing(true));
        Kernel k = s.system().kernel();
        assertEquals(1, s.device().raised(), "booting delivered the first interrupt");
        assertEquals(0, s.handled(), "and left it to the first operation");
        for (int op = 1; op <= 50; op++) {
            k.trace().clear();
            assertEquals(op, s.interrupts(1));
            assertEquals(op + 1, s.device().raised(), "one raise per operation");
            assertEquals(0, s.device().merged(), "never while the line was pending");
            assertEquals(1, count(k, "deliver", IrqSystem.IRQ, s.handlerId()), "one interrupt message per operation: " + k.trace().events());
            assertEquals(1, count(k, "deliver", s.handlerId(), IrqSystem.IRQ), "one acknowledgement per operation");
            assertEquals(ThreadState.WAITING_ACK, k.interrupts.thread(IrqSystem.LINE).state, "delivered, not yet acknowledged");
            assertTrue(k.machine().interruptController().isMasked(IrqSystem.LINE), "masked until the acknowledgement");
        }
        long inPlace = k.processors[0].idlesInPlace;
        assertEquals(1050, s.interrupts(1000));
        assertEquals(1051, s.device().raised());
        assertEquals(0, s.device().merged());
        assertEquals(999, k.processors[0].idlesInPlace - inPlace, "a batch idles on the handler's stack but for its last idle");
        assertEquals(ThreadState.WAITING_ACK, k.interrupts.thread(IrqSystem.LINE).state);
    }

    @Test
    void theBenchmarkedConfigurationRunsTheSameWay() {
        IrqSystem s = IrqSystem.boot();                                    // tracing off, fast path on: what JMH times
        Kernel k = s.system().kernel();
        assertEquals(Irq.BATCH + 1, s.interrupts(Irq.BATCH) + 1);
        assertEquals(Irq.BATCH + 1, s.device().raised());
        assertEquals(Irq.BATCH - 1, k.processors[0].idlesInPlace, "every interrupt but the batch's last woke the handler on its own stack");
        assertEquals((double) k.costEntryNs, s.virtualLatencyMeanNs(), "the interrupt's kernel entry, in machine time");
    }

    private static long count(Kernel k, String kind, long a, long b) {
        return k.trace().events().stream().filter(e -> e.kind().equals(kind) && e.a() == a && e.b() == b).count();
    }

    @Test
    void theMachineTimeLatencyIsMeasuredOverEveryInterrupt() {
        IrqCommand.Virtual v = IrqCommand.Virtual.measure(200);
        assertEquals(200, v.interrupts());
        assertTrue(v.meanNs() > 0 && v.meanNs() <= v.maxNs(), v.toString());
        assertEquals(v, IrqCommand.Virtual.measure(200), "deterministic");
    }

    @Test
    void theReportPrintsTheTableAndTheGoalRatioAndTheJsonHasEveryCase(@TempDir Path dir) throws Exception {
        Map<String, JmhRounds.Row> measured = new LinkedHashMap<>();
        measured.put(IrqCommand.CALL, new JmhRounds.Row(100, 101, 2, Double.NaN));
        measured.put(IrqCommand.LATENCY, new JmhRounds.Row(70, 71, 3, Double.NaN));
        IrqCommand.Virtual v = new IrqCommand.Virtual(12.5, 20, 10_000);
        Map<String, JmhRounds.Row> rows = IrqCommand.withVirtual(measured, v);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        IrqCommand.report(new PrintStream(bytes, true, StandardCharsets.UTF_8), rows, v);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("irq.latency.virtual"), out);
        assertTrue(Pattern.compile("irq\\.latency +/ \\(l4\\.call\\.cross-space\\.0w / 2\\) = +1\\.40 +\\(goal <= 1\\.5.*\\) +met").matcher(out).find(), out);
        assertTrue(Pattern.compile("irq\\.latency +/ l4\\.call\\.cross-space\\.0w += +0\\.70").matcher(out).find(), out);

        Path json = dir.resolve("irq.json");
        JmhRounds.writeJson(json, rows, "ns", "gc_alloc_bytes_per_op");
        String text = Files.readString(json);
        Matcher m = Pattern.compile("\\{\"case\": \"([^\"]+)\", \"ns\": ([0-9.]+)\\}").matcher(text);
        Map<String, Double> cases = new LinkedHashMap<>();
        while (m.find()) cases.put(m.group(1), Double.parseDouble(m.group(2)));
        assertEquals(Map.of("l4.call.cross-space.0w", 100.0, "irq.latency", 70.0, "irq.latency.virtual", 12.5), cases, text);
        assertTrue(text.startsWith("[") && text.strip().endsWith("]"), text);
    }

    @Test
    void aFailedCaseLeavesNoRatio() {
        Map<String, JmhRounds.Row> measured = new LinkedHashMap<>();
        measured.put(IrqCommand.CALL, new JmhRounds.Row(100, 101, 2, Double.NaN));
        measured.put(IrqCommand.LATENCY, JmhRounds.Row.FAILED);
        IrqCommand.Virtual v = new IrqCommand.Virtual(0, 0, 10);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        IrqCommand.report(new PrintStream(bytes, true, StandardCharsets.UTF_8), IrqCommand.withVirtual(measured, v), v);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("FAILED"), out);
        assertFalse(out.contains(" = "), out);
    }
}
