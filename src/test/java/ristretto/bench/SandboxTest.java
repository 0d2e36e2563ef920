package ristretto.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** {@code bench sandbox}: its cases name real benchmarks, and its kernels compute the same metered or not. */
class SandboxTest {

    @Test
    void everyCaseNamesAJmhBenchmarkAndAVariantItKnows() throws Exception {
        List<String> names = SandboxCommand.CASES.stream().map(JmhRounds.Case::name).toList();
        assertEquals(names.size(), names.stream().distinct().count(), "case names are unique");
        for (String k : SandboxCommand.KERNELS)
            assertTrue(names.containsAll(List.of("compute." + k + ".instrumented", "compute." + k + ".plain")), k);
        assertTrue(names.containsAll(List.of(SandboxCommand.CALL, SandboxCommand.CALL_CHECKED)));
        for (JmhRounds.Case c : SandboxCommand.CASES) BenchCases.benchmarkOf(c);
    }

    @Test
    void aKernelComputesTheSameInstrumentedAndPlainAndOnlyTheMeteredOneCostsMachineTime() throws Exception {
        for (String kernel : SandboxCommand.KERNELS) {
            long[] sums = new long[2], clocks = new long[2];
            for (int i = 0; i < 2; i++) {
                var loader = new Sandbox.ProgramLoader(i == 0, Sandbox.LOADED);
                var op = (LongUnaryOperator) loader.loadClass(Sandbox.KERNELS.get(kernel).getName()).getConstructor().newInstance();
                assertNotSame(Sandbox.KERNELS.get(kernel), op.getClass(), "loaded by the sandbox loader");
                ComputeSystem sys = new ComputeSystem(op, 50);
                long before = sys.clockNs();
                sys.batch();
                sums[i] = sys.batch();
                clocks[i] = sys.clockNs() - before;
            }
            assertEquals(sums[1], sums[0], kernel);
            assertTrue(clocks[0] > 100 * 1000, kernel + ": 100 metered calls took " + clocks[0] + " ns of machine time");
            assertTrue(clocks[1] < 10_000, kernel + ": unmetered, only the sleeps cost time: " + clocks[1] + " ns");
        }
    }

    @Test
    void loadingDefinesEveryClassOnce() throws Exception {
        Sandbox b = new Sandbox();
        for (String v : List.of("instrumented", "plain")) {
            Sandbox.LoadState st = new Sandbox.LoadState();
            st.variant = v;
            st.check();
            assertEquals(ComputeKernels.Recursion.class.getName(), ((Class<?>) b.load(st)).getName());
        }
    }
}
