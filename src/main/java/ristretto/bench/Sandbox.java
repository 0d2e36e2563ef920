package ristretto.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassHierarchyResolver;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import ristretto.kernel.load.Yieldpoints;
import ristretto.system.JvmOptions;

/**
 * What running user code as a metered, preemptible process costs ({@code ristretto bench sandbox},
 * {@link SandboxCommand}): the compute kernels of {@link ComputeKernels}, loaded with yieldpoints
 * and without, each run on an L4 thread ({@link ComputeSystem}), in nanoseconds per kernel call;
 * and the cost of loading a class, with and without instrumenting it, per class.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS, JvmOptions.QUIET, JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE, JvmOptions.COLLECTOR})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Sandbox {

    /** Kernel calls per benchmark invocation. */
    public static final int BATCH = 1000;
    /** The kernels by case name. */
    static final Map<String, Class<?>> KERNELS = Map.of(
            "tight-loop", ComputeKernels.TightLoop.class,
            "array-sum", ComputeKernels.ArraySum.class,
            "recursion", ComputeKernels.Recursion.class);
    /** The classes {@link #load} defines per invocation. */
    static final List<Class<?>> LOADED = List.of(ComputeKernels.class, ComputeKernels.TightLoop.class,
            ComputeKernels.ArraySum.class, ComputeKernels.Recursion.class);

    @State(Scope.Thread)
    public static class ComputeState {
        /** {@code KERNEL.instrumented} or {@code KERNEL.plain}, KERNEL one of {@link #KERNELS}. */
        @Param({"tight-loop.instrumented", "tight-loop.plain", "array-sum.instrumented", "array-sum.plain",
                "recursion.instrumented", "recursion.plain"})
        public String variant;

        ComputeSystem system;

        @Setup(Level.Trial)
        public void boot() throws ReflectiveOperationException {
            String[] parts = variant.split("\\.");
            Class<?> kernel = KERNELS.get(parts[0]);
            if (parts.length != 2 || kernel == null || !List.of("instrumented", "plain").contains(parts[1]))
                throw new IllegalArgumentException("unknown sandbox variant: " + variant);
            ProgramLoader loader = new ProgramLoader(parts[1].equals("instrumented"), LOADED);
            LongUnaryOperator op = (LongUnaryOperator) loader.loadClass(kernel.getName()).getConstructor().newInstance();
            system = new ComputeSystem(op, BATCH);
        }
    }

    /** {@value #BATCH} calls of one kernel on an L4 thread. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long compute(ComputeState st) {
        return st.system.batch();
    }

    @State(Scope.Thread)
    public static class LoadState {
        /** Whether each class is instrumented before it is defined. */
        @Param({"instrumented", "plain"})
        public String variant;

        boolean instrument;

        @Setup(Level.Trial)
        public void check() {
            instrument = switch (variant) {
                case "instrumented" -> true;
                case "plain" -> false;
                default -> throw new IllegalArgumentException("unknown load variant: " + variant);
            };
        }
    }

    /** Defines and initialises (so verifies) the {@link #LOADED} classes in a fresh loader: per class. */
    @Benchmark
    @OperationsPerInvocation(4)
    public Object load(LoadState st) throws ClassNotFoundException {
        ProgramLoader loader = new ProgramLoader(st.instrument, LOADED);
        Object last = null;
        for (Class<?> c : LOADED) last = Class.forName(c.getName(), true, loader);
        return last;
    }

    /**
     * Defines the given classes itself from their class files (read once), instrumented or as they
     * are, and takes everything else from its parent: a stand-in for the per-space loader.
     */
    static final class ProgramLoader extends ClassLoader {
        private static final Map<String, byte[]> FILES = new HashMap<>();
        private static final ClassHierarchyResolver RESOLVER = Yieldpoints.resolverFor(Sandbox.class.getClassLoader());
        private final boolean instrument;
        private final List<String> names;

        ProgramLoader(boolean instrument, List<Class<?>> classes) {
            super("sandbox", Sandbox.class.getClassLoader());
            this.instrument = instrument;
            this.names = classes.stream().map(Class::getName).toList();
        }

        @Override protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!names.contains(name)) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    byte[] b = classFile(name);
                    if (instrument) b = Yieldpoints.instrument(b, RESOLVER);
                    c = defineClass(name, b, 0, b.length);
                }
                return c;
            }
        }

        private static synchronized byte[] classFile(String name) {
            return FILES.computeIfAbsent(name, n -> {
                try (InputStream in = Sandbox.class.getClassLoader().getResourceAsStream(n.replace('.', '/') + ".class")) {
                    if (in == null) throw new IllegalStateException("no class file for " + n);
                    return in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
