package ristretto.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PingPongSystemTest {

    @ParameterizedTest
    @ValueSource(strings = {"same-space.0w", "same-space.8w", "cross-space.0w", "cross-space.8w", "cross-space.63w",
            "cross-space.0w.slowpath", "cross-space.0w.nolazy", "cross-space.0w.nodirect", "same-space.0w.checked", "threadswitch"})
    void shouldRunExactlyOneBatchOfRoundTripsPerStep(String variant) {
        PingPongSystem sys = PingPongSystem.forVariant(variant, 100);
        for (int i = 1; i <= 5; i++) assertEquals(100L * i, sys.batch());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cross-space", "same-space.64w", "cross-space.8w.turbo", "threadswitch.0w"})
    void shouldRejectUnknownVariants(String variant) {
        assertThrows(IllegalArgumentException.class, () -> PingPongSystem.forVariant(variant, 100));
    }
}
