package ristretto.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ristretto.abi.ErrorCode;
import ristretto.abi.Fpage;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.load.Loading;
import ristretto.machine.Machine;
import ristretto.system.Harness;
import ristretto.system.Ristretto;
import ristretto.user.Entry;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;

/**
 * A root program assembled from lambdas: named entry points for the threads it creates, and a
 * main body. Scenarios record what they observe into {@link #log} (or their own lists); tests
 * assert after the machine halted. Also the address-space layout and the helpers every
 * foundation test uses to create threads the way l4test does (§16.1).
 */
final class Scenario implements Program {
    /** The root task's UTCB area (2^30 bytes) and KIP, fixed at boot. */
    static final long ROOT_UTCB_BASE = Fpage.address(Boot.ROOT_UTCB_AREA);
    static final long ROOT_KIP = Fpage.address(Boot.ROOT_KIP_AREA);
    /** The root task's memory, mapped 1:1 and shared by every thread of its space. */
    static final long MEM = Ristretto.ROOT_MEMORY_BASE;
    /** UTCB area used for new spaces: 2^20 bytes at 64 GiB, KIP at the root's address. */
    static final long NEW_UTCB_BASE = 0x10_0000_0000L;
    static final long NEW_UTCB_AREA = Fpage.log2(NEW_UTCB_BASE, 20);
    static final long NEW_KIP_AREA = Fpage.log2(ROOT_KIP, 12);

    final List<String> log = new ArrayList<>();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> images = new LinkedHashMap<>();
    private final Map<String, Long> ips = new LinkedHashMap<>();
    private Entry main;
    /** Where the program images come from. */
    private Loading loading = Loading.SHIPPED;

    Scenario entry(String name, Entry code) {
        entries.put(name, code);
        return this;
    }

    /** An entry point named {@code name} that starts the program image of {@code className} ({@link Linker#image}). */
    Scenario image(String name, String className) {
        images.put(name, className);
        return this;
    }

    /** Program images are loaded from {@code l}. */
    Scenario loading(Loading l) {
        this.loading = l;
        return this;
    }

    Scenario main(Entry code) {
        this.main = code;
        return this;
    }

    /** The IP of an entry point (known once the program is linked, i.e. inside the run). */
    long ip(String name) {
        Long ip = ips.get(name);
        if (ip == null) throw new IllegalArgumentException("no entry " + name);
        return ip;
    }

    @Override public void link(Linker linker) {
        entries.forEach((name, code) -> ips.put(name, linker.entry(name, code)));
        images.forEach((name, className) -> ips.put(name, linker.image(className)));
    }

    @Override public void main(L4 l4) throws Exception { main.run(l4); }

    /**
     * A machine of 64 MiB: the root task's 16..32 MiB plus 16 MiB of kernel memory (16384 UTCBs).
     * Smaller than the default only to keep each boot cheap; nothing here depends on the size.
     */
    static final Machine.Config MACHINE = Machine.Config.defaults().withMemory(64L << 20);

    /** Boots the scenario in checked mode with tracing, runs it to the halt. */
    Harness run() { return run(Harness.testOptions()); }

    /** Runs to the halt, then fails on a kernel bug report or a broken kernel invariant. */
    Harness run(Kernel.Options options) {
        return checked(Harness.boot(MACHINE, options, this, loading, Harness.TIME_LIMIT_NS).runToHalt());
    }

    /** As {@link #run(Kernel.Options)}, halting when machine time reaches {@code timeLimitNs} (for threads that never end). */
    Harness run(Kernel.Options options, long timeLimitNs) { return checked(Harness.run(MACHINE, options, this, timeLimitNs)); }

    static Harness checked(Harness h) {
        for (String line : h.console)
            if (line.contains("KERNEL BUG")) throw new AssertionError("kernel bug reported:\n" + String.join("\n", h.console));
        List<String> broken = h.kernel().invariantViolations();
        if (!broken.isEmpty()) throw new AssertionError("kernel invariants violated: " + broken);
        return h;
    }

    // ------------------------------------------------------------------ thread helpers

    /** The global ID (my thread number + k, version). */
    static long id(L4 l4, int k, int version) { return ThreadId.global(ThreadId.number(l4.myGlobalId()) + k, version); }

    static long id(L4 l4, int k) { return id(l4, k, 1); }

    /** UTCB location of slot {@code i} of the root's UTCB area (slot 0 is the root's own). */
    static long rootUtcb(int i) { return ROOT_UTCB_BASE + (long) Utcb.SIZE * i; }

    /** Creates {@code t} active in the caller's space with the caller as pager and scheduler. */
    static boolean createHere(L4 l4, long t, int slot) {
        long me = l4.myGlobalId();
        return l4.threadControl(t, me, me, me, rootUtcb(slot));
    }

    /** Creates {@code t} in the caller's space and starts it at {@code ip} with the start-up message. */
    static void startHere(L4 l4, long t, int slot, long ip) {
        if (!createHere(l4, t, slot)) throw new IllegalStateException("ThreadControl failed: " + l4.errorCode());
        l4.startThread(t, ip, 0x1000L * slot);
    }

    /** Creates {@code t} as the first thread of a fresh space: inactive, SpaceControl, activate. */
    static void createInNewSpace(L4 l4, long t) {
        long me = l4.myGlobalId();
        if (!l4.threadControl(t, t, me, ThreadId.NIL, -1)) throw new IllegalStateException("create: " + l4.errorCode());
        if (!l4.spaceControl(t, 0, NEW_KIP_AREA, NEW_UTCB_AREA, ThreadId.NIL))
            throw new IllegalStateException("SpaceControl: " + l4.errorCode());
        if (!l4.threadControl(t, t, me, me, NEW_UTCB_BASE)) throw new IllegalStateException("activate: " + l4.errorCode());
    }

    static void startInNewSpace(L4 l4, long t, long ip) {
        createInNewSpace(l4, t);
        l4.startThread(t, ip, 0);
    }

    /** "ok", or the name of the ErrorCode the failed system call left (§11.9). */
    static String outcome(L4 l4, boolean ok) { return ok ? "ok" : ErrorCode.name(l4.errorCode()); }

    static boolean kill(L4 l4, long t) { return l4.threadControl(t, ThreadId.NIL, ThreadId.NIL, ThreadId.NIL, -1); }

    /** A server that answers every caller with MR1 + 1, for ever (the attack tests' victim). */
    static Entry incrementServer() {
        return l4 -> {
            l4.waitAny();
            while (true) {
                l4.setMr(1, l4.mr(1) + 1);
                l4.replyWait(l4.from());
            }
        };
    }

    /**
     * A body for turn-taking tests: loops {@code iterations} times over the shared "last writer"
     * word at {@code word}; whenever it finds that another thread wrote last — it has just got the
     * processor back — it notes its thread number and the clock in {@code turns}.
     */
    static Entry turnTaker(long word, long iterations, List<long[]> turns) {
        return l4 -> {
            long me = ThreadId.number(l4.myGlobalId());
            for (long i = 0; i < iterations; i++) {
                if (l4.load(word) != me) {
                    turns.add(new long[] {me, l4.systemClock()});
                    l4.store(word, me);
                }
            }
        };
    }

    /** Touches memory {@code n} times (load and store of one word): user-mode work the timer can preempt. */
    static void spin(L4 l4, long addr, long n) {
        for (long i = 0; i < n; i++) l4.store(addr, l4.load(addr) + 1);
    }
}
