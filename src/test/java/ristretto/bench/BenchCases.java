package ristretto.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/** What the bench commands' tests check of every case: it names a JMH benchmark, and a variant that benchmark's state knows. */
final class BenchCases {
    private BenchCases() {}

    /** Asserts that {@code c} names a {@code @Benchmark} method and, if it has a variant, one its state's {@code variant} parameter lists; answers the method. */
    static Method benchmarkOf(JmhRounds.Case c) throws ReflectiveOperationException {
        int dot = c.benchmark().lastIndexOf('.');
        Class<?> k = Class.forName(c.benchmark().substring(0, dot));
        String method = c.benchmark().substring(dot + 1);
        Method m = Arrays.stream(k.getMethods()).filter(x -> x.getName().equals(method)).findFirst()
                .orElseThrow(() -> new AssertionError(c.name() + ": no method " + c.benchmark()));
        assertTrue(m.isAnnotationPresent(Benchmark.class), c.name() + ": " + c.benchmark() + " is not a @Benchmark");
        if (c.variant() != null) {
            List<String> variants = List.of(m.getParameterTypes()[0].getField("variant").getAnnotation(Param.class).value());
            assertTrue(variants.contains(c.variant()), c.name() + ": unknown variant " + c.variant());
        }
        return m;
    }
}
