package ristretto.system;

import java.util.List;

/**
 * The options of every JVM that runs Ristretto: the launcher ({@code ./ristretto}), the test JVMs
 * ({@code pom.xml}, surefire's {@code argLine}) and the benchmark forks. {@code JvmOptionsTest}
 * checks that the launcher and the POM carry each of them.
 *
 * <ul>
 *   <li>{@link #EXPORTS}: threads are {@code jdk.internal.vm.Continuation}s.</li>
 *   <li>{@link #OPENS}: the kernel measures a continuation's top stack chunk before it mounts it
 *       on another thread's stack ({@code kernel.sched.StackHeadroom}); without it, it never does.</li>
 *   <li>{@link #FAST_PATH_OUT_OF_LINE}: keeps the JIT from inlining {@code FastPath.transfer} into
 *       the IPC trap gate. The gate must stay small: C2 inlines a callee that is already compiled
 *       only if its code is under {@code InlineSmallCode} (2500 bytes), and a gate that is not
 *       inlined into user code is one more frame that every continuation switch freezes and thaws
 *       (about 15 ns a switch here). With the fast path a call that returns before the switch,
 *       the gate compiles to well under that and user code inlines it; without this option the
 *       outcome depends on the order of compilations, and round trips vary by 20 % from one JVM
 *       to the next. Correctness never depends on it.</li>
 *   <li>{@link #NESTED_OUT_OF_LINE}: the same for the nested switch ({@code Processor.switchNested}),
 *       whose guard of the receiver's stack chunk would otherwise make the gate too big to inline.</li>
 *   <li>{@link #QUIET}: the JVM would otherwise print every compile command on start.</li>
 *   <li>{@link #COLLECTOR}: ParallelGC, the collector of the reference figures.</li>
 *   <li>{@link #STACK_TRACES}: a kernel bug is reported with its stack even when the JIT would
 *       otherwise throw a preallocated, stackless exception.</li>
 *   <li>{@link #NATIVE_ACCESS}: no code may call restricted methods (such as
 *       {@code MemorySegment.reinterpret}, which would let user code read all of host memory
 *       through its UTCB); Ristretto itself calls none.</li>
 * </ul>
 *
 * <p>{@code ./ristretto demo} and {@code run} start Ristretto as the named module
 * {@code ristretto} ({@link #MODULE_EXPORTS} and {@link #MODULE_OPENS} instead of {@link #EXPORTS}
 * and {@link #OPENS}), so that user programs,
 * loaded outside it, cannot reach the kernel; the tests and benchmarks run it from the class path.
 */
public final class JvmOptions {
    private JvmOptions() {}

    public static final String EXPORTS = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED";
    public static final String MODULE_EXPORTS = "--add-exports=java.base/jdk.internal.vm=ristretto";
    public static final String OPENS = "--add-opens=java.base/jdk.internal.vm=ALL-UNNAMED";
    public static final String MODULE_OPENS = "--add-opens=java.base/jdk.internal.vm=ristretto";
    public static final String QUIET = "-XX:CompileCommand=quiet";
    public static final String FAST_PATH_OUT_OF_LINE = "-XX:CompileCommand=dontinline,ristretto.kernel.ipc.FastPath::transfer";
    public static final String NESTED_OUT_OF_LINE = "-XX:CompileCommand=dontinline,ristretto.kernel.sched.Processor::switchNested";
    public static final String COLLECTOR = "-XX:+UseParallelGC";
    public static final String STACK_TRACES = "-XX:-OmitStackTraceInFastThrow";
    public static final String NATIVE_ACCESS = "--illegal-native-access=deny";

    /** All of them, in the order the launcher passes them. */
    public static final List<String> ALL = List.of(EXPORTS, OPENS, QUIET, FAST_PATH_OUT_OF_LINE, NESTED_OUT_OF_LINE, COLLECTOR, STACK_TRACES, NATIVE_ACCESS);
}
