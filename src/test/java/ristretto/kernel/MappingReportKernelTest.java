package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.Fpage;
import ristretto.abi.ThreadId;
import ristretto.kernel.mem.MappingDbChecker;
import ristretto.kernel.mem.MappingNode;
import ristretto.kernel.mem.Space;
import ristretto.machine.PhysicalMemory;
import ristretto.system.Harness;

/**
 * {@link Kernel#mappingReport} on a booted system: the spaces of the live threads by id, sigma0's
 * roots, the root task's memory derived from them with the status bits its accesses set, and a
 * tree sigma0 → root task → A → B → C made with the kernel's database after the run.
 */
class MappingReportKernelTest {
    private static final long MEM = Scenario.MEM;
    private static final long PAGE = PhysicalMemory.PAGE_SIZE;
    /** A page of root memory well away from anything the system touches at boot. */
    private static final long P = MEM + 0x40_000;
    private static final long AT = 0x2000_0000L;

    private static long vpn(long addr) { return addr >>> PhysicalMemory.PAGE_BITS; }

    private static Space spaceOf(Kernel k, long id) { return k.threads.lookupGlobal(id).space; }

    private static List<String> section(List<String> report, Space s) {
        int from = -1;
        for (int i = 0; i < report.size(); i++) if (report.get(i).startsWith("space " + s.id + " ")) from = i;
        assertTrue(from >= 0, "no section for " + s + " in\n" + String.join("\n", report));
        int to = from + 1;
        while (to < report.size() && !report.get(to).startsWith("space ")) to++;
        return report.subList(from, to);
    }

    @Test
    void theTreeFromSigma0DownToC() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.store(P, 42);
            s.log.add("read " + l4.load(P + PAGE));
            for (int i = 1; i <= 3; i++) Scenario.createInNewSpace(l4, Scenario.id(l4, i));
        });
        Harness h = s.run();
        Kernel k = h.kernel();
        assertEquals(List.of("read 0"), s.log);
        long rootId = k.rootTaskId();
        long[] ids = new long[4];
        for (int i = 1; i <= 3; i++) ids[i] = ThreadId.global(ThreadId.number(rootId) + i, 1);
        Space sigma0 = spaceOf(k, k.sigma0Id()), root = spaceOf(k, rootId);
        Space a = spaceOf(k, ids[1]), b = spaceOf(k, ids[2]), c = spaceOf(k, ids[3]);
        for (int i = 0; i < 16; i++) {
            MappingNode na = k.mappings.map(root.mapping(vpn(P) + 2 + i), a, vpn(AT) + i, Fpage.RWX);
            if (i < 4) {
                MappingNode nb = k.mappings.map(na, b, vpn(AT) + i, Fpage.R | Fpage.W);
                if (i == 2) k.mappings.map(nb, c, vpn(AT), Fpage.R);
            }
        }
        MappingDbChecker.check(k);

        List<String> report = k.mappingReport();
        String all = String.join("\n", report);
        List<Integer> order = report.stream().filter(l -> l.startsWith("space "))
                .map(l -> Integer.parseInt(l.split(" ")[1])).toList();
        assertEquals(order.stream().sorted().distinct().toList(), order, "spaces by id, each once:\n" + all);

        List<String> s0 = section(report, sigma0);
        assertTrue(s0.getFirst().startsWith("space " + sigma0.id + " [sigma0] (thread " + ThreadId.toString(k.sigma0Id()) + "; 4096 pages mapped"), all);
        assertEquals(List.of("  0x01000000-0x01ffffff -> frame 0x01000000  rwx  status ---  owner, sigma0's root (4096 pages)"),
                s0.subList(1, s0.size()), all);

        List<String> r = section(report, root);
        assertTrue(r.getFirst().startsWith("space " + root.id + " (thread " + ThreadId.toString(rootId) + "; 4096 pages mapped, "), all);
        String from = "from space " + sigma0.id;
        assertTrue(r.contains("  0x01040000-0x01040fff -> frame 0x01040000  rwx  status -w-  " + from + " 0x01040000 (1 page)"), all);
        assertTrue(r.contains("  0x01041000-0x01041fff -> frame 0x01041000  rwx  status r--  " + from + " 0x01041000 (1 page)"), all);
        assertTrue(r.stream().anyMatch(l -> l.startsWith("  0x01042000-0x01ffffff -> frame 0x01042000  rwx  status ---  " + from)), all);

        assertEquals(List.of("space " + a.id + " (thread " + ThreadId.toString(ids[1]) + "; 16 pages mapped, 1 UTCB page)",
                "  0x20000000-0x2000ffff -> frame 0x01042000  rwx  status ---  from space " + root.id + " 0x01042000 (16 pages)"),
                section(report, a));
        assertEquals(List.of("space " + b.id + " (thread " + ThreadId.toString(ids[2]) + "; 4 pages mapped, 1 UTCB page)",
                "  0x20000000-0x20003fff -> frame 0x01042000  rw-  status ---  from space " + a.id + " 0x20000000 (4 pages)"),
                section(report, b));
        assertEquals(List.of("space " + c.id + " (thread " + ThreadId.toString(ids[3]) + "; 1 page mapped, 1 UTCB page)",
                "  0x20000000-0x20000fff -> frame 0x01044000  r--  status ---  from space " + b.id + " 0x20002000 (1 page)"),
                section(report, c));
    }
}
