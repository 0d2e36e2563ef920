package ristretto.machine;

/**
 * The whole simulated machine: physical memory, a clock, an interrupt controller with a
 * periodic timer on line 0, and {@code cpus} processors. Built once, from a {@link Config}.
 */
public final class Machine {

    /**
     * Machine parameters. The cost model charges virtual time for work the simulation cannot
     * time itself: every kernel entry and every user memory access.
     */
    public record Config(long memoryBytes, int cpus, boolean virtualClock, long timerPeriodNs,
                         int interruptLines, long kernelEntryNs, long memoryAccessNs) {
        public static Config defaults() {
            return new Config(256L << 20, 1, true, 1_000_000, 32, 100, 1);
        }

        public Config withMemory(long bytes) { return new Config(bytes, cpus, virtualClock, timerPeriodNs, interruptLines, kernelEntryNs, memoryAccessNs); }

        public Config withCpus(int n) { return new Config(memoryBytes, n, virtualClock, timerPeriodNs, interruptLines, kernelEntryNs, memoryAccessNs); }

        public Config withRealClock() { return new Config(memoryBytes, cpus, false, timerPeriodNs, interruptLines, 0, 0); }

        public Config withTimerPeriod(long ns) { return new Config(memoryBytes, cpus, virtualClock, ns, interruptLines, kernelEntryNs, memoryAccessNs); }
    }

    private final Config config;
    private final PhysicalMemory memory;
    private final Clock clock;
    private final InterruptController pic;
    private final Timer timer;
    private final Cpu[] cpus;

    public Machine(Config config) {
        if (config.cpus() < 1 || config.cpus() > 64) throw new IllegalArgumentException("1..64 CPUs");
        this.config = config;
        this.memory = new PhysicalMemory(config.memoryBytes());
        this.clock = config.virtualClock() ? Clock.virtual() : Clock.real();
        this.pic = new InterruptController(config.interruptLines());
        this.timer = new Timer(config.timerPeriodNs());
        this.cpus = new Cpu[config.cpus()];
        for (int i = 0; i < cpus.length; i++) {
            cpus[i] = new Cpu(this, i);
            cpus[i].post(EventQueue.TIMER, timer.nextNs());
        }
    }

    public Config config() { return config; }

    public PhysicalMemory memory() { return memory; }

    public Clock clock() { return clock; }

    public InterruptController interruptController() { return pic; }

    public Timer timer() { return timer; }

    public Cpu cpu(int i) { return cpus[i]; }

    public int cpuCount() { return cpus.length; }
}
