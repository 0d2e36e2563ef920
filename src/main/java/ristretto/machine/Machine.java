package ristretto.machine;

/**
 * The whole simulated machine: physical memory, a clock, an interrupt controller with a
 * periodic timer on line 0, and {@code cpus} processors. Built once, from a {@link Config}.
 */
public final class Machine {

    /**
     * Machine parameters. The cost model charges virtual time for work the simulation cannot
     * time itself: every kernel entry ({@code kernelEntryNs}), every user memory access
     * ({@code memoryAccessNs}) and every bytecode instruction of user code
     * ({@code instructionNs}, counted by the yieldpoints the program loader inserts).
     *
     * <p>{@code instructionNs} defaults to 1 ns: a bytecode compiled by the JIT is roughly one to
     * two machine instructions, and a core of the kind L4 runs on retires about one to three
     * instructions per nanosecond, so one bytecode a nanosecond is the right order and a round
     * figure. On the real clock every cost is 0: time is the host's.
     */
    public record Config(long memoryBytes, int cpus, boolean virtualClock, long timerPeriodNs,
                         int interruptLines, long kernelEntryNs, long memoryAccessNs, long instructionNs) {
        public static Config defaults() {
            return new Config(256L << 20, 1, true, 1_000_000, 32, 100, 1, 1);
        }

        public Config withMemory(long bytes) { return new Config(bytes, cpus, virtualClock, timerPeriodNs, interruptLines, kernelEntryNs, memoryAccessNs, instructionNs); }

        public Config withCpus(int n) { return new Config(memoryBytes, n, virtualClock, timerPeriodNs, interruptLines, kernelEntryNs, memoryAccessNs, instructionNs); }

        public Config withRealClock() { return new Config(memoryBytes, cpus, false, timerPeriodNs, interruptLines, 0, 0, 0); }

        public Config withTimerPeriod(long ns) { return new Config(memoryBytes, cpus, virtualClock, ns, interruptLines, kernelEntryNs, memoryAccessNs, instructionNs); }

        /** The virtual time one bytecode instruction of user code costs (0: instructions are free). */
        public Config withInstructionNs(long ns) {
            if (ns < 0) throw new IllegalArgumentException("instructionNs must not be negative");
            return new Config(memoryBytes, cpus, virtualClock, timerPeriodNs, interruptLines, kernelEntryNs, memoryAccessNs, ns);
        }
    }

    private final Config config;
    private final PhysicalMemory memory;
    private final Clock clock;
    private final InterruptController pic;
    private final Timer timer;
    private final Cpu[] cpus;
    /** The devices, in the order attached; device i posts to event source {@code EventQueue.DEVICE_BASE + i}. */
    private final java.util.List<Device> devices = new java.util.ArrayList<>();
    /** At most this many devices (each has an event source). */
    public static final int MAX_DEVICES = 16;

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

    /**
     * Attaches {@code d} (before the kernel runs): its line must be one of the controller's, not
     * the timer's, and not taken. CPU 0 owns the devices.
     */
    public Machine attach(Device d) {
        if (d.line() <= InterruptController.TIMER_LINE || d.line() >= pic.lines())
            throw new IllegalArgumentException("line " + d.line() + " is not a device line (1.." + (pic.lines() - 1) + ")");
        for (Device o : devices) if (o.line() == d.line()) throw new IllegalArgumentException("line " + d.line() + " is taken");
        if (devices.size() == MAX_DEVICES) throw new IllegalArgumentException("at most " + MAX_DEVICES + " devices");
        devices.add(d);
        cpus[0].post(EventQueue.DEVICE_BASE + devices.size() - 1, d.nextNs());
        return this;
    }

    public java.util.List<Device> devices() { return java.util.Collections.unmodifiableList(devices); }

    /**
     * Polls every device at {@code nowNs} on CPU {@code cpu} (the owner): due lines are raised
     * and each device's next time is posted to the CPU's event queue.
     */
    public void pollDevices(Cpu cpu, long nowNs) {
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            d.poll(nowNs, pic);
            cpu.post(EventQueue.DEVICE_BASE + i, d.nextNs());
        }
    }

    /** The earliest time a device needs the CPU, or {@link EventQueue#NONE}. */
    public long nextDeviceNs() {
        long m = EventQueue.NONE;
        for (Device d : devices) m = Math.min(m, d.nextNs());
        return m;
    }

    /** Whether some device can raise its line at a time nobody knows yet (host input). */
    public boolean hasExternalDevices() {
        for (Device d : devices) if (d.external()) return true;
        return false;
    }

    public int cpuCount() { return cpus.length; }
}
