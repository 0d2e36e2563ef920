package ristretto.kernel;

import org.junit.jupiter.api.Nested;

/**
 * The IPC suites again with tracing off: every other test runs with tracing on
 * ({@code Harness.testOptions()}), but users and the benchmarks run without it, and then the
 * fast path's commit skips its out-of-line extras (one flag word, {@code Kernel.fastPathExtras}).
 * Each suite asserts the same observable results as with tracing on — messages, error codes,
 * From IDs, the virtual clock — and none of them looks at the trace. (The fast-path equivalence
 * programs and the random IPC properties compare tracing on and off run by run, in their own
 * classes; the l4test checklist runs traced and untraced in {@code IpcChecklistTest}.)
 */
class TracingOffTest {

    static Kernel.Options untraced(Kernel.Options o) { return o.withTracing(false); }

    @Nested
    class IpcOperations extends IpcOperationsTest {
        @Override Kernel.Options options() { return untraced(super.options()); }
    }

    @Nested
    class IpcErrors extends IpcErrorsTest {
        @Override Kernel.Options options() { return untraced(super.options()); }
    }

    @Nested
    class Propagation extends PropagationTest {
        @Override Kernel.Options options() { return untraced(super.options()); }
    }

    @Nested
    class Redirection extends RedirectionTest {
        @Override Kernel.Options options() { return untraced(super.options()); }
    }
}
