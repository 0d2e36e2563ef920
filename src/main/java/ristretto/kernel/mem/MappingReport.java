package ristretto.kernel.mem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ristretto.abi.ThreadId;
import ristretto.kernel.thread.Tcb;
import ristretto.machine.PhysicalMemory;

/**
 * The mapping database as a user debugging a pager wants to see it ({@code run --maps}): for
 * each space, a header naming its threads, then its mappings in address order, coalesced into
 * runs — consecutive pages that map consecutive frames with the same rights and status bits and
 * derive from consecutive pages of one parent space (or are all sigma0's roots). A line:
 *
 * <pre>  0x01000000-0x01ffffff -> frame 0x01000000  rwx  status rw-  from space 1 0x01000000 (4096 pages)</pre>
 *
 * <p>Spaces have no registry: the report covers the spaces of the live threads it is given,
 * ordered by space id. The KIP, code image and UTCB pages are not in the database; the header
 * counts the kernel frames backing UTCBs. A space lists at most {@code maxRuns} runs, then how
 * many more, so a huge space does not flood the output. Read-only; meant for a halted machine
 * (a concurrent change may cut a space short, never throws).
 */
public final class MappingReport {
    /** Runs listed per space by {@link #of(Iterable)}. */
    public static final int MAX_RUNS = 200;
    /** Thread IDs named per space header. */
    static final int MAX_THREADS_NAMED = 8;

    private MappingReport() {}

    /** The report on the spaces of {@code threads} (live TCBs; those without a space are skipped). */
    public static List<String> of(Iterable<Tcb> threads) { return of(threads, MAX_RUNS); }

    static List<String> of(Iterable<Tcb> threads, int maxRuns) {
        Map<Space, List<Long>> bySpace = new LinkedHashMap<>();
        TreeMap<Integer, Space> order = new TreeMap<>();
        for (Tcb t : threads) {
            Space s = t.space;
            if (s == null) continue;
            order.putIfAbsent(s.id, s);
            bySpace.computeIfAbsent(s, k -> new ArrayList<>()).add(t.globalId);
        }
        List<String> out = new ArrayList<>();
        for (Space s : order.values()) out.addAll(space(s, bySpace.get(s), maxRuns));
        return out;
    }

    /** One space: its header (with {@code threadIds}, global IDs) and at most {@code maxRuns} runs. */
    public static List<String> space(Space s, List<Long> threadIds, int maxRuns) {
        List<String> out = new ArrayList<>();
        out.add(header(s, threadIds));
        try {
            runs(s, Math.max(0, maxRuns), out);
        } catch (RuntimeException e) {                   // the database changed under the walk
            out.add("  ... (cut short: the mappings changed while being read)");
        }
        return out;
    }

    private static String header(Space s, List<Long> threadIds) {
        StringBuilder b = new StringBuilder("space ").append(s.id);
        if (s.physical) b.append(" [sigma0]");
        b.append(threadIds.isEmpty() ? " (no threads" : threadIds.size() == 1 ? " (thread " : " (threads ");
        for (int i = 0; i < threadIds.size() && i < MAX_THREADS_NAMED; i++)
            b.append(i == 0 ? "" : " ").append(ThreadId.toString(threadIds.get(i)));
        if (threadIds.size() > MAX_THREADS_NAMED) b.append(" +").append(threadIds.size() - MAX_THREADS_NAMED).append(" more");
        int pages = s.mappingCount();
        b.append("; ").append(pages).append(pages == 1 ? " page" : " pages").append(" mapped");
        int utcb = s.utcbPageCount();
        if (utcb > 0) b.append(", ").append(utcb).append(utcb == 1 ? " UTCB page" : " UTCB pages");
        return b.append(')').toString();
    }

    /** Appends the space's runs, the first {@code maxRuns} of them, then a count of the rest. */
    private static void runs(Space s, int maxRuns, List<String> out) {
        long[] vpns = new long[s.mappings.size()];
        int[] n = {0};
        s.mappings.forEach((vpn, node) -> { if (n[0] < vpns.length) vpns[n[0]++] = vpn; });
        Arrays.sort(vpns, 0, n[0]);
        int runs = 0;
        MappingNode first = null, last = null;
        int pages = 0;
        for (int i = 0; i <= n[0]; i++) {
            MappingNode m = i < n[0] ? s.mappings.get(vpns[i]) : null;
            if (m != null && last != null && continues(last, m)) {
                last = m;
                pages++;
                continue;
            }
            if (first != null && runs++ < maxRuns) out.add(line(first, pages));
            first = last = m;
            pages = 1;
        }
        if (runs > maxRuns) out.add("  ... " + (runs - maxRuns) + " more run" + (runs - maxRuns == 1 ? "" : "s"));
    }

    /** Whether {@code b} extends the run that ends with {@code a}. */
    private static boolean continues(MappingNode a, MappingNode b) {
        if (b.vpn != a.vpn + 1 || b.pfn() != a.pfn() + 1 || b.rights != a.rights) return false;
        if (MappingDb.status(a) != MappingDb.status(b)) return false;
        MappingNode pa = a.parent, pb = b.parent;
        if (pa == null || pb == null) return pa == pb;
        return pa.space == pb.space && pb.vpn == pa.vpn + 1;
    }

    private static String line(MappingNode first, int pages) {
        long start = first.vpn << PhysicalMemory.PAGE_BITS;
        long end = start + ((long) pages << PhysicalMemory.PAGE_BITS) - 1;
        MappingNode p = first.parent;
        String origin = p == null ? "owner, sigma0's root"
                : p.space == null ? "from a removed mapping"
                : "from space " + p.space.id + " " + hex(p.vpn << PhysicalMemory.PAGE_BITS);
        return "  " + hex(start) + "-" + hex(end) + " -> frame " + hex(first.frame()) + "  " + MappingDb.rightsName(first.rights)
                + "  status " + MappingDb.rightsName(MappingDb.status(first)) + "  " + origin
                + " (" + pages + (pages == 1 ? " page)" : " pages)");
    }

    private static String hex(long a) { return String.format("0x%08x", a); }
}
