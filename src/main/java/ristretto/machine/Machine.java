package ristretto.machine;

/**
 * The whole simulated machine: physical memory, a clock, an interrupt controller with a
 * periodic timer on line 0, and {@code cpus} processors. Built once, from a {@link Config}.
 *
 * <p>Physical address space: RAM from 0, then device memory from {@link #deviceMemoryBase} (RAM's
 * size rounded up to {@link Device#MMIO_BYTES}): one slot of {@link Device#MMIO_BYTES} per
 * interrupt line, line {@code n}'s at {@code deviceMemoryBase() + n * MMIO_BYTES}, routed to
 * the device attached on that line (an empty slot reads zeros and ignores stores). The slots
 * exist from the start, so the kernel can describe device memory before devices are attached.
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
    /** The device on each line, for the bus (null: none). */
    private final Device[] byLine;
    private final long deviceBase;
    /** Devices may transfer data (DMA) to and from RAM below this address only. */
    private volatile long dmaLimit;

    public Machine(Config config) {
        if (config.cpus() < 1 || config.cpus() > 64) throw new IllegalArgumentException("1..64 CPUs");
        this.config = config;
        this.memory = new PhysicalMemory(config.memoryBytes());
        this.clock = config.virtualClock() ? Clock.virtual() : Clock.real();
        this.pic = new InterruptController(config.interruptLines());
        this.byLine = new Device[config.interruptLines()];
        this.deviceBase = (memory.size() + Device.MMIO_BYTES - 1) & -Device.MMIO_BYTES;
        this.dmaLimit = memory.size();
        memory.connect(new Bus());
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
        d.attachTo(this);
        devices.add(d);
        byLine[d.line()] = d;
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

    // ------------------------------------------------------------------ device memory

    /** The first physical address of device memory (above RAM). */
    public long deviceMemoryBase() { return deviceBase; }

    /** The end (exclusive) of device memory: one slot per interrupt line. */
    public long deviceMemoryEnd() { return deviceBase + (long) byLine.length * Device.MMIO_BYTES; }

    /** Whether {@code paddr} is in device memory. */
    public boolean isDeviceMemory(long paddr) { return paddr >= deviceBase && paddr < deviceMemoryEnd(); }

    /** The physical address of line {@code line}'s register slot. */
    public long mmioBase(int line) {
        if (line < 0 || line >= byLine.length) throw new IllegalArgumentException("no line " + line);
        return deviceBase + (long) line * Device.MMIO_BYTES;
    }

    /** Restricts device transfers to RAM below {@code limit} (the kernel keeps its own memory out of reach, as an IOMMU would). */
    public void limitDma(long limit) { dmaLimit = Math.min(limit, memory.size()); }

    /** Whether a device may transfer {@code len} bytes at {@code paddr} of RAM. */
    public boolean dmaAllowed(long paddr, long len) { return paddr >= 0 && len >= 0 && paddr <= dmaLimit - len; }

    /**
     * The device bus: an access above RAM goes to the device of its slot at the time now (a
     * narrow load sees the low bytes of what the device answers). A
     * store that brings the device's next event earlier asks CPU 0, which owns the devices, for
     * an event check, where the new time is posted (only the owning CPU posts to its queue).
     */
    private final class Bus implements PhysicalMemory.Io {
        @Override public long load(long paddr, int bytes) {
            Device d = device(paddr);
            if (d == null) return 0;
            long v = d.load((int) (paddr & (Device.MMIO_BYTES - 1)), bytes, clock.nowNs());
            return bytes == 8 ? v : v & (1L << 8 * bytes) - 1;                // zero-extended, as from RAM
        }

        @Override public void store(long paddr, long value, int bytes) {
            Device d = device(paddr);
            if (d == null) return;
            long before = d.nextNs();
            d.store((int) (paddr & (Device.MMIO_BYTES - 1)), value, bytes, clock.nowNs());
            if (d.nextNs() < before) cpus[0].requestCheck();
        }

        private Device device(long paddr) {
            if (!isDeviceMemory(paddr)) {
                if (paddr < deviceBase) return null;                   // the gap between RAM and the first slot
                throw new IndexOutOfBoundsException("no memory at 0x" + Long.toHexString(paddr));
            }
            return byLine[(int) ((paddr - deviceBase) >>> Device.MMIO_LOG2)];
        }
    }
}
