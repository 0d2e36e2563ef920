package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.MEM;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ristretto.abi.Fpage;
import ristretto.abi.MsgTag;
import ristretto.kernel.mem.MappingDbChecker;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.Pager;
import ristretto.user.Threads;

/**
 * A randomized property test of memory across spaces, in the booted system: four worker spaces
 * share a zone of 64 virtual pages into which the root task (their pager, mapping its own pages
 * on faults) and the workers themselves map and grant fpages of random sizes, rights and send
 * bases, unmap and flush random fpages, and load and store at random addresses. After every
 * step the mapping-database checker must pass (rights within the parent's, trees rooted in
 * sigma0, page tables agreeing with the trees, no stale TLB entry) and the kernel's invariants
 * hold; and the run's log — every value loaded, every status read, every fault taken — is the
 * same with tracing on and off.
 */
class MemoryProperties {
    static final long ZONE = 0x4000_0000L, PAGE = 4096;
    static final int ZONE_PAGES = 64, WORKERS = 4, STEPS = 300;
    static final long OP_MAP = 1, OP_UNMAP = 2, OP_LOAD = 3, OP_STORE = 4;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void mapGrantUnmapAndAccessKeepTheDatabaseWhole(long seed) {
        List<String> on = run(seed, true), off = run(seed, false);
        assertEquals(on, off, "tracing changes nothing");
        assertEquals(STEPS, on.size(), "every step ran");
        assertTrue(on.stream().filter(l -> !l.contains("faults 0")).count() > 10, "faults were taken and resolved");
        assertTrue(on.stream().filter(l -> l.contains("op1") && l.endsWith("-> 0")).count() > 10, "maps and grants went through");
        assertTrue(on.stream().filter(l -> l.contains("op3") && !l.endsWith("-> 0")).count() > 0, "loads saw stored values");
    }

    private static List<String> run(long seed, boolean tracing) {
        List<String> log = new ArrayList<>();
        long[] workers = new long[WORKERS];
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            l4.setReceiveWindow(Fpage.COMPLETE);
            long root = l4.pager();
            long tag = l4.waitAny();
            while (true) {
                if (l4.from() != root || L4.failed(tag)) { tag = l4.waitAny(); continue; }
                long op = MsgTag.label(tag), a = l4.mr(1), b = l4.mr(2), c = l4.mr(3), d = l4.mr(4);
                long result = 0;
                if (op == OP_MAP) {
                    if ((c & 1) != 0) l4.loadGrantItem(a, b); else l4.loadMapItem(a, b);
                    result = l4.send(workers[(int) (c >>> 1)]) ;
                    result = L4.failed(result) ? -1 : 0;
                } else if (op == OP_UNMAP) {
                    result = b != 0 ? l4.flush(a) : l4.unmapFpage(a);
                } else if (op == OP_LOAD) {
                    result = l4.load(a);
                } else if (op == OP_STORE) {
                    l4.store(a, b);
                }
                l4.loadMsg(0, result);
                tag = l4.replyWait(root);
            }
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            for (int i = 0; i < WORKERS; i++) workers[i] = threads.inNewSpace(s.ip("worker"), 0);
            SplittableRandom r = new SplittableRandom(seed);
            long value = 1000;
            for (int step = 0; step < STEPS; step++) {
                int w = r.nextInt(WORKERS);
                long addr = ZONE + r.nextInt(ZONE_PAGES) * PAGE + 8L * r.nextInt(8);
                int kind = r.nextInt(10);
                long op;
                if (kind < 3) {                                      // map or grant to another worker
                    int log2 = 12 + r.nextInt(5);
                    long src = ZONE + (r.nextInt(ZONE_PAGES) * PAGE & -(1L << log2));
                    long base = ZONE + r.nextInt(ZONE_PAGES) * PAGE;
                    int rights = 1 + r.nextInt(7);
                    long grant = r.nextInt(5) == 0 ? 1 : 0;
                    op = OP_MAP;
                    int to = (w + 1 + r.nextInt(WORKERS - 1)) % WORKERS;   // another worker: a send to oneself never ends
                    l4.loadMsg(op, Fpage.log2(src, log2, rights), base, grant | (long) to << 1);
                } else if (kind < 5) {
                    op = OP_UNMAP;
                    int log2 = 12 + r.nextInt(6);
                    long fp = Fpage.log2(ZONE + (r.nextInt(ZONE_PAGES) * PAGE & -(1L << log2)), log2, r.nextInt(8));
                    l4.loadMsg(op, fp, r.nextInt(2));
                } else if (kind < 8) {
                    op = OP_LOAD;
                    l4.loadMsg(op, addr);
                } else {
                    op = OP_STORE;
                    l4.loadMsg(op, addr, ++value);
                }
                long tag = l4.call(workers[w]);
                int faults = 0;
                while (Pager.isPageFault(tag)) {                     // the worker faulted: map one of our pages there
                    faults++;
                    long fault = l4.mr(1);
                    long page = MEM + ((fault - ZONE) & -PAGE);
                    l4.loadMapItem(Fpage.log2(page, 12, r.nextInt(3) == 0 ? Fpage.R : Fpage.RWX), fault);
                    tag = l4.call(workers[w]);
                }
                log.add(step + " w" + w + " op" + op + " faults " + faults + " -> " + (L4.failed(tag) ? "error" : l4.mr(1)));
                if (step % 10 == 9) l4.sleepMicros(10);              // the host checks the database
            }
        });
        Harness h = Harness.boot(Scenario.MACHINE, Harness.testOptions().withTracing(tracing), s,
                ristretto.kernel.load.Loading.SHIPPED, Harness.TIME_LIMIT_NS);
        Kernel k = h.kernel();
        int checks = 0;
        while (h.system.runUntilIdle() == null) {
            MappingDbChecker.check(k);
            assertEquals(List.of(), k.invariantViolations());
            checks++;
        }
        MappingDbChecker.check(k);
        Scenario.checked(h);
        assertTrue(checks >= STEPS / 10, "checked between steps: " + checks);
        return log;
    }
}
