package ristretto.kernel;

import ristretto.system.Harness;

/**
 * A suite of IPC scenarios ({@link IpcScenario}) whose kernel options a subclass can change:
 * checked mode and tracing on by default, as every test runs; {@link TracingOffTest} runs the
 * suites again with tracing off — how the kernel runs for users and in the benchmarks, where the
 * fast path's commit takes its other branch — and expects the same results.
 */
abstract class IpcSuite {

    /** The options each scenario of the suite boots with. */
    Kernel.Options options() { return Harness.testOptions(); }

    /** Runs a scenario with {@link #options()} (shadows {@code IpcScenario.run} in the suites). */
    Harness run(IpcScenario.RootBody root) { return IpcScenario.run(options(), root); }
}
