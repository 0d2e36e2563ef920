package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.ThreadId;
import ristretto.machine.Machine;
import ristretto.system.Ristretto;

/**
 * Scale: 100,000 threads alive at once, each really started and blocked in a receive (its
 * continuation parked inside the kernel), and the host heap that costs per blocked thread.
 */
class ThreadScaleTest {

    private static final int THREADS = 100_000;
    /** The goal is 4 KiB per blocked thread; the assertion leaves room for JVM and GC variance. */
    private static final long BOUND_BYTES = 8 * 1024;

    private static long usedHeapAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, mx.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @Test
    void aHundredThousandThreadsBlockedInIpcAtOnceCostLittleHeapEach() {
        int[] started = new int[1];
        List<String> console = new ArrayList<>();
        Scenario s = new Scenario();
        s.entry("blocked", l4 -> {
            started[0]++;
            l4.waitAny();                                // never answered: blocked for good
            started[0] = -1_000_000;
        });
        s.main(l4 -> {
            for (int i = 1; i <= THREADS; i++) {
                long t = id(l4, i);
                if (!createHere(l4, t, i)) throw new IllegalStateException("ThreadControl " + i + ": " + l4.errorCode());
                l4.startThread(t, s.ip("blocked"), 0);
            }
        });
        Machine.Config config = Machine.Config.defaults().withMemory(1L << 30);   // 256 MiB of kernel memory: 25,000 UTCB pages
        Ristretto sys = Ristretto.boot(config, Kernel.Options.defaults(), s);
        sys.kernel().setConsole(console::add);

        long before = usedHeapAfterGc();
        long t0 = System.nanoTime();
        String halt = sys.run();
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        long after = usedHeapAfterGc();

        Kernel k = sys.kernel();
        long perThread = (after - before) / THREADS;
        System.out.printf("ThreadScaleTest: %,d threads blocked in IPC, %,d bytes of heap each (%,d MiB in all), run took %,d ms%n",
                THREADS, perThread, (after - before) >> 20, elapsedMs);
        assertEquals("no runnable thread and nothing left to wake", halt);
        assertEquals(List.of(), console);
        assertEquals(THREADS, started[0], "every thread ran and is still in its receive");
        assertEquals(THREADS + 2, k.liveThreads(), "plus sigma0 and the root task");
        int root = ThreadId.number(k.rootTaskId());
        for (int i : new int[] {1, 2, THREADS / 2, THREADS - 1, THREADS})
            assertEquals("waiting_forever", k.stateOf(ThreadId.global(root + i, 1)));
        assertTrue(perThread <= BOUND_BYTES, perThread + " bytes per blocked thread (goal 4 KiB)");
        assertEquals(List.of(), k.invariantViolations());
    }
}
