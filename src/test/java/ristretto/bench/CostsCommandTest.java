package ristretto.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import ristretto.abi.StringItem;
import ristretto.cli.Main;
import ristretto.kernel.Kernel;

/**
 * {@code ristretto costs}: the command runs (small sizes, a large n of 16 Ki words — still four
 * times the cache) and prints every row of the seed's table with measured numbers; and the
 * measurements themselves follow the seed's counting for each strategy.
 */
class CostsCommandTest {

    @Test
    void printsEveryRowOfTheSeedsTableForBothStrategies() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute("costs", "--small", "8,512", "--large", "16384", "--repeat", "2");
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        for (String row : new String[] {"R/W operations", "cache lines", "small n overhead cache misses", "large n cache misses",
                "large n write-backs", "overhead TLB misses", "copy in - copy out", "temporary mapping", "hint 0 -> 2"})
            assertTrue(out.contains(row), row + " in:\n" + out);
        assertTrue(out.matches("(?s).*R/W operations\\s+8 \\|\\s+32\\s+4\\.00 n\\s+2x2 n \\|\\s+16\\s+2\\.00 n\\s+2 n\n.*"), out);
        assertTrue(out.matches("(?s).*\\s16384 \\|\\s+\\d+\\s+[0-9.]+ n/8\\s+5 n/8 \\|.*"), "the large-n row: " + out);
    }

    @Test
    void theMeasuredCountsFollowEachStrategysCopies() {
        CostsCommand.Measured in = CostsCommand.measure(Kernel.Copy.COPY_IN_OUT, 512, 0, 2);
        CostsCommand.Measured tm = CostsCommand.measure(Kernel.Copy.TEMPORARY_MAPPING, 512, 0, 2);
        assertEquals(4 * 512, in.steady().reads() + in.steady().writes(), "read and written twice");
        assertEquals(2 * 512, tm.steady().reads() + tm.steady().writes(), "once");
        assertEquals(3 * 512 / 8, in.steady().lines());
        assertEquals(2 * 512 / 8, tm.steady().lines());
        assertEquals(512 / 8, in.seedStart().cacheMisses(), "the kernel buffer's lines, cold");
        assertEquals(0, tm.seedStart().cacheMisses());
        assertEquals(0, in.steady().tlbMisses(), "tagged TLB: the partners' entries stay");
        assertEquals(1, tm.steady().tlbMisses(), "the window closed at the last switch: one page");
        assertEquals("3.00 n/8", CostsCommand.asMultiple(192, 512, 8, "n/8"));

        CostsCommand.Measured streamed = CostsCommand.measure(Kernel.Copy.TEMPORARY_MAPPING, 512, StringItem.HINT_NO_ALLOCATE, 2);
        assertEquals(2 * 512 / 8, streamed.steady().cacheMisses(), "hint 2 on the string and the buffer: nothing stays cached");
        assertEquals(0, tm.steady().cacheMisses(), "without it, all of it does");
    }
}
