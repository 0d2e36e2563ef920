package ristretto.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ContinuationNestedTest {

    @Test
    void shouldDeliverTheCallersWordsToTheCalleeOncePerRoundTrip() {
        ContinuationNested cn = new ContinuationNested();
        for (long n = 1; n <= 5; n++) {
            long[] sent = cn.callerBuffer();
            for (int i = 0; i < ContinuationNested.WORDS; i++) sent[i] = n << 8 | i;

            assertEquals(n, cn.roundTrip(), "reply: the callee's sequence number, one run per round trip");
            assertEquals(n, cn.rounds());
            assertEquals(n, cn.reply());
            assertArrayEquals(sent, cn.calleeBuffer(), "the callee received the caller's words");
        }
    }
}
