package ristretto.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import ristretto.abi.StringItem;
import ristretto.kernel.Kernel;
import ristretto.machine.CacheModel;
import ristretto.machine.CostModel;
import ristretto.machine.Tlb;

/**
 * {@code ristretto costs}: seed 000's table "Cost Estimates for Copying n Words", measured. For
 * each copy strategy it boots a {@link StringSystem} with the cost model on ({@link CostModel}: a
 * {@link CacheModel#l1() 32 KiB 8-way cache} of 64-byte lines, and the CPU's TLB) and sends one
 * string of n words at a time from one space to another, for a few small n and one n beyond the
 * cache; each row prints what the model counted for the copy of one message, as a number and as a
 * multiple of n in the seed's unit, beside the seed's estimate. No timing: these are counts.
 *
 * <p>Every figure is one IPC's, taken after the same IPC was repeated ({@code --repeat}) — the
 * steady state — except the small-n overhead misses, taken from a cache the host set to the
 * seed's assumption (see {@link #DEFINITIONS}). The hint rows repeat the steady state with the
 * string and the receive buffer both carrying cache allocation hint 2 (do not allocate).
 */
@Command(name = "costs", mixinStandardHelpOptions = true,
        description = "Seed 000's cost estimates for copying n words, measured by the cost model for each copy strategy.")
public final class CostsCommand implements Callable<Integer> {

    @Option(names = "--small", split = ",", paramLabel = "WORDS", description = "small string sizes in words (default: ${DEFAULT-VALUE})")
    List<Integer> small = new ArrayList<>(List.of(8, 64, 512));

    @Option(names = "--large", paramLabel = "WORDS", description = "the large string size in words, beyond the cache (default: ${DEFAULT-VALUE} = 1 MiB)")
    int large = 128 << 10;

    @Option(names = "--repeat", paramLabel = "N", description = "IPCs before the one measured: the steady state (default: ${DEFAULT-VALUE})")
    int repeat = 4;

    @Spec CommandSpec spec;

    static final Kernel.Copy[] STRATEGIES = {Kernel.Copy.COPY_IN_OUT, Kernel.Copy.TEMPORARY_MAPPING};
    static final String[] HEADS = {"copy in - copy out", "temporary mapping"};
    static final int WORDS_PER_LINE = CacheModel.LINE / 8, WORDS_PER_PAGE = 4096 / 8;

    static final String DEFINITIONS = """
            n: words (8 bytes) of one simple string item sent by a Call from the root task to a thread in another
               space, both buffers mapped and page-aligned; counts are the copy's only (CostModel brackets the string
               transfer), one message each, after the same IPC was repeated (steady state) unless said otherwise.
            R/W operations: words read + words written by the copy.
            cache lines: distinct 64-byte lines (8 words) the copy touched (source, kernel buffer, destination).
            small n overhead cache misses: the copy's misses when it starts with the sender's string and the
              receiver's buffer cached and nothing else (the seed's assumption: both partners just used their buffers;
              the host empties the model's cache and touches those lines): every miss is overhead. "steady" beside
              it: the misses of the same IPC repeated, whatever the last copy left cached.
            large n cache misses: misses (line fills, and misses that did not allocate) of a string beyond the cache
              in the steady state; write-backs: dirty lines the copy evicted.
            overhead TLB misses: page-table walks during the copy in the steady state (the TLB is tagged and keeps the
              user's entries across IPCs; the temporary-mapping window is closed at every thread switch).""";

    /** What the model counted for one IPC's copy of one configuration. */
    record Measured(long words, CostModel.Counts steady, long steadyWritebacks, CostModel.Counts seedStart) {}

    @Override public Integer call() {
        if (repeat < 0 || large < 1 || small.stream().anyMatch(n -> n < 1)
                || Math.max(large, small.stream().mapToInt(Integer::intValue).max().orElse(1)) > StringSystem.MAX_SIZE / 8)
            throw new ParameterException(spec.commandLine(), "sizes must be 1 .. " + StringSystem.MAX_SIZE / 8 + " words, --repeat at least 0");
        PrintStream out = System.out;
        out.printf("costs: seed 000's \"Cost Estimates for Copying n Words\", measured by the cost model (%d KiB %d-way cache, "
                + "%d-byte lines; %d-entry direct-mapped TLB); one IPC after %d repeats%n",
                CacheModel.l1().sizeBytes() >> 10, 8, CacheModel.LINE, Tlb.ENTRIES, repeat);
        out.println(DEFINITIONS);
        out.println();
        List<Integer> sizes = new ArrayList<>(small);
        sizes.add(large);
        Measured[][] m = new Measured[STRATEGIES.length][sizes.size()];
        Measured[][] hinted = new Measured[STRATEGIES.length][];
        for (int s = 0; s < STRATEGIES.length; s++) {
            for (int i = 0; i < sizes.size(); i++) m[s][i] = measure(STRATEGIES[s], sizes.get(i), StringItem.HINT_DEFAULT, repeat);
            hinted[s] = new Measured[] {
                    measure(STRATEGIES[s], small.getLast(), StringItem.HINT_NO_ALLOCATE, repeat),
                    measure(STRATEGIES[s], large, StringItem.HINT_NO_ALLOCATE, repeat)};
        }
        int last = sizes.size() - 1;
        out.printf("%-32s %7s | %-31s | %-31s%n", "", "", HEADS[0], HEADS[1]);
        out.printf("%-32s %7s | %9s %11s %9s | %9s %11s %9s%n", "", "n", "measured", "as n", "seed", "measured", "as n", "seed");
        for (int i = 0; i <= last; i++)
            row(out, i == 0 ? "R/W operations" : "", m, i, c -> c.steady.reads() + c.steady.writes(), 1, "n",
                    i == 0 ? new String[] {"2x2 n", "2 n"} : null);
        for (int i = 0; i <= last; i++)
            row(out, i == 0 ? "cache lines" : "", m, i, c -> c.steady.lines(), WORDS_PER_LINE, "n/8",
                    i == 0 ? new String[] {"3 n/8", "2 n/8"} : null);
        for (int i = 0; i < last; i++)
            row(out, i == 0 ? "small n overhead cache misses" : "", m, i, c -> c.seedStart.cacheMisses(), WORDS_PER_LINE, "n/8",
                    i == 0 ? new String[] {"n/8", "0"} : null);
        for (int i = 0; i < last; i++)
            row(out, i == 0 ? "  (steady: same IPC repeated)" : "", m, i, c -> c.steady.cacheMisses(), WORDS_PER_LINE, "n/8", null);
        row(out, "large n cache misses", m, last, c -> c.steady.cacheMisses(), WORDS_PER_LINE, "n/8", new String[] {"5 n/8", "3 n/8"});
        row(out, "  large n write-backs", m, last, Measured::steadyWritebacks, WORDS_PER_LINE, "n/8", null);
        row(out, "  misses + write-backs", m, last, c -> c.steady.cacheMisses() + c.steadyWritebacks, WORDS_PER_LINE, "n/8", null);
        for (int i = 0; i <= last; i++)
            row(out, i == 0 ? "overhead TLB misses" : "", m, i, c -> c.steady.tlbMisses(), WORDS_PER_PAGE, "n/512",
                    i == 0 ? new String[] {"2", "n/512"} : null);
        out.println();
        out.println("cache allocation hint 2 (do not allocate) on the string and the receive buffer, steady state:");
        out.printf("%-32s %7s | %-31s | %-31s%n", "", "n", HEADS[0], HEADS[1]);
        for (int j = 0; j < 2; j++) hintRow(out, j == 0 ? "cache misses, hint 0 -> 2" : "", m, hinted, j, c -> c.steady.cacheMisses());
        for (int j = 0; j < 2; j++) hintRow(out, j == 0 ? "write-backs, hint 0 -> 2" : "", m, hinted, j, Measured::steadyWritebacks);
        out.println();
        out.println("seed 000's prose (copy in / copy out) has 4 n/8 large-n misses where its table has 5 n/8; "
                + "\"as n\" divides the count by n in the row's unit (n/8: lines of 8 words; n/512: pages of 512 words).");
        return 0;
    }

    /** A row of the hint table: the figure without the hint and with it, for the largest small n ({@code j} 0) or the large n (1). */
    private static void hintRow(PrintStream out, String label, Measured[][] m, Measured[][] hinted, int j, ToLongFunction<Measured> f) {
        int i = m[0].length - 2 + j;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-32s %7d", label, m[0][i].words));
        for (int s = 0; s < STRATEGIES.length; s++)
            sb.append(String.format(Locale.ROOT, " | %31s", f.applyAsLong(m[s][i]) + " -> " + f.applyAsLong(hinted[s][j])));
        out.println(sb);
    }

    private static void row(PrintStream out, String label, Measured[][] m, int i, ToLongFunction<Measured> f, int per, String unit,
                            String[] seed) {
        long n = m[0][i].words;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-32s %7d", label, n));
        for (int s = 0; s < STRATEGIES.length; s++) {
            long v = f.applyAsLong(m[s][i]);
            sb.append(String.format(Locale.ROOT, " | %9d %11s %9s", v, asMultiple(v, n, per, unit), seed == null ? "" : seed[s]));
        }
        out.println(sb);
    }

    /** {@code v} as a multiple of {@code n / per}, in the unit's name: {@code "4.00 n"}, {@code "3.00 n/8"}. */
    static String asMultiple(long v, long n, int per, String unit) {
        return String.format(Locale.ROOT, "%.2f %s", v * (double) per / n, unit);
    }

    /**
     * Boots a system sending strings of {@code words} words copied by {@code copy}, hint {@code
     * hint} on both sides, runs {@code repeat} IPCs, then measures one (the steady state) and one
     * more from the seed's start: the cache emptied, then the sender's string and the receiver's
     * buffer touched.
     */
    static Measured measure(Kernel.Copy copy, int words, int hint, int repeat) {
        long bytes = words * 8L;
        StringSystem s = new StringSystem(copy, bytes, 1, true, hint);
        CostModel costs = s.costs();
        CacheModel cache = costs.cache();
        for (int i = 0; i < repeat; i++) s.batch();
        long wb = cache.writebacks();
        CostModel.Counts steady = one(s, costs);
        long steadyWritebacks = cache.writebacks() - wb;
        cache.clear();
        cache.range(StringSystem.SRC, bytes, true, true);              // the sender wrote its string (1:1: physical = virtual)
        cache.range(StringSystem.DST_FRAMES, bytes, false, true);      // the receiver used its buffer
        CostModel.Counts seedStart = one(s, costs);
        if (steady.bytes() != bytes || seedStart.bytes() != bytes)
            throw new IllegalStateException(s.name() + ": the copy moved " + steady.bytes() + " bytes, not " + bytes);
        return new Measured(words, steady, steadyWritebacks, seedStart);
    }

    /** One IPC with its string; answers the model's counts of its copy. */
    private static CostModel.Counts one(StringSystem s, CostModel costs) {
        long ipcs = costs.ipcs();
        s.batch();
        if (costs.ipcs() != ipcs + 1) throw new IllegalStateException(s.name() + ": " + (costs.ipcs() - ipcs) + " copies in one message");
        return costs.last();
    }
}
