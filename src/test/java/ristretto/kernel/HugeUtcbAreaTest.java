package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.Fpage;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.machine.PageTable;
import ristretto.system.Harness;

/**
 * A UTCB area of any size X.2 allows is accepted (§11.2 asks only for an fpage in the user area of
 * at least the KIP's minimum size), and destroying its space costs time proportional to the UTCB
 * pages that were actually backed, not to the area: a 2^46-byte area used to take 28 s (17
 * billion pages walked) with the machine frozen.
 */
class HugeUtcbAreaTest {
    @Test
    void aSpaceWithA2To46ByteUtcbAreaIsCreatedUsedAndDestroyedAtOnce() {
        long base = 1L << 46;                                   // 2^46 bytes at 2^46: inside 2^48
        List<String> log = new ArrayList<>();
        Scenario s = new Scenario();
        s.entry("worker", l4 -> l4.receive(l4.myGlobalId()));
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), u = id(l4, 2);
            log.add("create " + outcome(l4, l4.threadControl(t, t, me, ThreadId.NIL, -1)));
            log.add("space " + outcome(l4, l4.spaceControl(t, 0, NEW_KIP_AREA, Fpage.log2(base, 46), ThreadId.NIL)));
            log.add("activate low " + outcome(l4, l4.threadControl(t, t, me, me, base)));
            long high = base + (1L << 46) - Utcb.SIZE;          // the last UTCB of the area
            log.add("activate high " + outcome(l4, l4.threadControl(u, t, me, me, high)));
            l4.startThread(t, s.ip("worker"), 0);
            l4.startThread(u, s.ip("worker"), 0);
            long t0 = System.nanoTime();
            log.add("delete " + outcome(l4, kill(l4, t)) + " " + outcome(l4, kill(l4, u)));
            log.add("host ms " + (System.nanoTime() - t0) / 1_000_000);
        });
        Harness h = s.run();
        assertEquals(List.of("create ok", "space ok", "activate low ok", "activate high ok", "delete ok ok"), log.subList(0, 5));
        // A hang guard, not a speed target: the old walk took 28 s; a bounded one takes microseconds.
        assertTrue(Long.parseLong(log.get(5).substring("host ms ".length())) < 2000, log.get(5));
        assertTrue(base + (1L << 46) <= PageTable.VA_LIMIT);
        assertEquals(List.of(), h.kernel().invariantViolations());
    }
}
