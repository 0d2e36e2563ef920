package ristretto.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

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
        for (JmhRounds.Case c : PingPongCommand.CASES) BenchCases.benchmarkOf(c);
    }
}
