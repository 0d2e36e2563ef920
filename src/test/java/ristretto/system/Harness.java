package ristretto.system;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import ristretto.kernel.Kernel;
import ristretto.kernel.load.Loading;
import ristretto.machine.Machine;
import ristretto.user.Program;

/**
 * The one test harness: boots a system with a root program on the virtual clock, runs it to the
 * halt, and keeps what the kernel reported. Root programs are built with the one builder,
 * {@code ristretto.kernel.Scenario} (named entry points, or anonymous bodies through
 * {@code IpcScenario}'s helpers). Tests write their scenarios as root programs (as l4test does) and record
 * observations into lists they assert on afterwards.
 */
public final class Harness {
    public final Ristretto system;
    public final List<String> console = Collections.synchronizedList(new ArrayList<>());
    public String haltReason;
    /** Virtual time after which a test system is stopped: one hour, far beyond any scenario. */
    public static final long TIME_LIMIT_NS = 3_600_000_000_000L;

    private Harness(Ristretto system) { this.system = system; }

    /** Checked mode and tracing on: the defaults for tests. */
    public static Kernel.Options testOptions() {
        return Kernel.Options.defaults().withCheckedMode(true).withTracing(true);
    }

    public static Harness run(Program root) { return run(Machine.Config.defaults(), testOptions(), root); }

    public static Harness run(Kernel.Options options, Program root) { return run(Machine.Config.defaults(), options, root); }

    public static Harness run(Machine.Config config, Kernel.Options options, Program root) {
        return run(config, options, root, TIME_LIMIT_NS);
    }

    /** Runs with a virtual-time watchdog of {@code timeLimitNs} (Long.MAX_VALUE: none). */
    public static Harness run(Machine.Config config, Kernel.Options options, Program root, long timeLimitNs) {
        return boot(config, options, root, timeLimitNs).runToHalt();
    }

    /** Boots without running, for a test that wants the kernel first; then {@link #runToHalt}. */
    public static Harness boot(Machine.Config config, Kernel.Options options, Program root, long timeLimitNs) {
        return boot(config, options, root, Loading.SHIPPED, timeLimitNs);
    }

    /** As above, with the program images the root task starts loaded from {@code images}. */
    public static Harness boot(Machine.Config config, Kernel.Options options, Program root, Loading images, long timeLimitNs) {
        Harness h = new Harness(Ristretto.boot(config, options, root, List.of(), images));
        h.system.kernel().setConsole(h.console::add);
        h.system.kernel().setTimeLimitNs(timeLimitNs);
        return h;
    }

    public Harness runToHalt() {
        haltReason = system.run();
        return this;
    }

    /**
     * As {@link #runToHalt}, but stepped: the host runs the machine one idle at a time ({@link
     * Ristretto#runUntilIdle}), so every idle is the dispatcher's and none takes place on the
     * stack of a thread that blocked. The same program must give the same trace either way.
     */
    public Harness stepToHalt() {
        while ((haltReason = system.runUntilIdle()) == null) { }
        return this;
    }

    public Kernel kernel() { return system.kernel(); }

    /** Machine time at the halt, in µs. */
    public long clockMicros() { return kernel().machine().clock().nowMicros(); }

    /** The trace as text lines, for determinism and equivalence comparisons. */
    public List<String> traceLines() {
        List<String> out = new ArrayList<>();
        for (var e : kernel().trace().events()) out.add(e.toString());
        return out;
    }
}
