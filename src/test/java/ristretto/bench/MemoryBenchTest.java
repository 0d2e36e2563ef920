package ristretto.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import ristretto.abi.Fpage;
import ristretto.kernel.mem.MappingDbChecker;
import ristretto.kernel.mem.MappingNode;

/**
 * {@code bench memory}: its cases name real benchmarks and variants, and each benchmark body does
 * the work it claims — faults served, pages mapped and revoked, trees built and revoked through
 * the Unmap system call, loads and stores reading and writing the words the JVM loop would —
 * checked without JMH, a few batches each, with the mapping database consistent after.
 */
class MemoryBenchTest {

    @Test
    void everyCaseNamesAJmhBenchmarkAVariantItKnowsAndItsBatchSize() throws Exception {
        List<String> names = MemoryCommand.CASES.stream().map(JmhRounds.Case::name).toList();
        assertEquals(names.size(), names.stream().distinct().count(), "case names are unique");
        assertTrue(names.containsAll(List.of(MemoryCommand.CALL, MemoryCommand.FAULT, "mem.map.1", "mem.map.64", "mem.map.1024",
                "mem.unmap.1", "mem.unmap.1000", "mem.unmap.100000", "mem.load.tlbhit", "mem.store.tlbhit",
                "jvm.segment.load", "jvm.segment.store")));
        for (JmhRounds.Case c : MemoryCommand.CASES) {
            Method m = BenchCases.benchmarkOf(c);
            if (m.getDeclaringClass() == Memory.class && !m.getName().equals("segment")) {    // the scores are per fault, page, mapping or access
                MemorySystem s = MemorySystem.forVariant(c.variant());
                assertEquals(m.getAnnotation(OperationsPerInvocation.class).value(), s.perBatch(), c.name());
            }
        }
    }

    @Test
    void faultBatchesFaultOnEveryPageAndThePagesAreRevokedBetween() {
        MemorySystem s = MemorySystem.fault(50);
        for (int i = 1; i <= 3; i++) {
            s.prepare();
            assertEquals(0, s.extraMappings(), "nothing of the last batch left");
            s.batch();
            assertEquals(50L * i, s.faults(), "every page faulted, every batch");
            assertEquals(50, s.extraMappings());
            MappingNode n = s.otherMapping(MemorySystem.CLIENT_BASE + 49 * MemorySystem.PAGE);
            assertEquals(MemorySystem.SOURCE + 49 * MemorySystem.PAGE, n.frame(), "the pager's page");
        }
        MappingDbChecker.check(s.system().kernel());
    }

    @Test
    void mapBatchesMapEveryPageOfEveryItem() {
        for (int log2 : new int[] {12, 18, 22}) {
            int pages = 1 << (log2 - 12), ipcs = 3;
            MemorySystem s = MemorySystem.map(log2, ipcs);
            for (int i = 0; i < 2; i++) {
                s.prepare();
                assertEquals(0, s.extraMappings());
                s.batch();
                assertEquals((long) pages * ipcs, s.extraMappings(), "2^" + log2);
                long last = MemorySystem.CLIENT_BASE + (long) ipcs * pages * MemorySystem.PAGE - MemorySystem.PAGE;
                MappingNode n = s.otherMapping(last);
                assertEquals(MemorySystem.SOURCE + (pages - 1) * MemorySystem.PAGE, n.frame(), "the last page of the last window");
                assertEquals(Fpage.RWX, n.rights());
            }
            assertEquals((long) pages * ipcs * 2, s.ops());
            MappingDbChecker.check(s.system().kernel());
        }
    }

    @Test
    void unmapBatchesRevokeTreesTheHostBuilt() {
        for (int[] shape : new int[][] {{1, 20}, {1000, 3}, {5000, 1}}) {
            MemorySystem s = MemorySystem.unmap(shape[0], shape[1]);
            for (int i = 0; i < 2; i++) {
                s.prepare();
                assertEquals(shape[0] * shape[1], s.extraMappings(), "the trees are built");
                MappingDbChecker.check(s.system().kernel());
                s.batch();
                assertEquals(0, s.extraMappings(), "the Unmap calls revoked them all");
                assertNull(s.otherMapping(MemorySystem.CLIENT_BASE));
            }
            MappingDbChecker.check(s.system().kernel());
        }
    }

    @Test
    void loadsAndStoresTouchTheWordsTheJvmLoopWould() {
        int pages = 4, batch = 1000, words = pages * 512;
        long[] mem = new long[words];
        for (int i = 0; i < words; i++) mem[i] = i;
        long x = 1, sum = 0;
        for (int i = 0; i < batch; i++) {
            x = x * MemorySystem.LCG_A + MemorySystem.LCG_C;
            sum += mem[(int) ((x >>> 32) & (words - 1))];
        }
        MemorySystem load = MemorySystem.access(false, pages, batch);
        assertEquals(sum + x + batch, load.batch(), "the same words were loaded");

        MemorySystem store = MemorySystem.access(true, pages, batch);
        store.batch();
        var phys = store.system().kernel().phys;
        long y = 1;
        int differ = 0;
        for (int i = 0; i < batch; i++) {
            y = y * MemorySystem.LCG_A + MemorySystem.LCG_C;
            mem[(int) ((y >>> 32) & (words - 1))] = y;
        }
        for (int i = 0; i < words; i++)
            if (phys.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, MemorySystem.ACCESS_BASE + i * 8L) != mem[i]) differ++;
        assertEquals(0, differ, "the root task's pages (1:1) hold what the sequence stored");
    }
}
