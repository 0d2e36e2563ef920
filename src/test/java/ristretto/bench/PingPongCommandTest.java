package ristretto.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

class PingPongCommandTest {

    @Test
    void shouldMeasureBothFloorsUnderDistinctNames() {
        List<String> names = PingPongCommand.CASES.stream().map(JmhRounds.Case::name).toList();
        assertTrue(names.contains(PingPongCommand.FLOOR), names::toString);
        assertTrue(names.contains(PingPongCommand.NESTED_FLOOR), names::toString);
        assertEquals(names.size(), names.stream().distinct().count(), "case names are unique");
    }

    @Test
    void shouldNameAJmhBenchmarkAndAKnownVariantInEveryCase() throws Exception {
        List<String> variants = List.of(PingPong.CallState.class.getField("variant").getAnnotation(Param.class).value());
        for (JmhRounds.Case c : PingPongCommand.CASES) {
            int dot = c.benchmark().lastIndexOf('.');
            Class<?> k = Class.forName(c.benchmark().substring(0, dot));
            String method = c.benchmark().substring(dot + 1);
            Method m = Arrays.stream(k.getMethods()).filter(x -> x.getName().equals(method)).findFirst()
                    .orElseThrow(() -> new AssertionError(c.name() + ": no method " + c.benchmark()));
            assertTrue(m.isAnnotationPresent(Benchmark.class), c.name() + ": " + c.benchmark() + " is not a @Benchmark");
            if (c.variant() != null) assertTrue(variants.contains(c.variant()), c.name() + ": unknown variant " + c.variant());
        }
    }
}
