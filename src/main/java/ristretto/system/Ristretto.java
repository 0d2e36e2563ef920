package ristretto.system;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ristretto.abi.UserCpu;
import ristretto.abi.UserEntry;
import ristretto.kernel.Boot;
import ristretto.kernel.Kernel;
import ristretto.kernel.load.Loading;
import ristretto.kernel.load.ProgramImage;
import ristretto.kernel.load.SpaceLoader;
import ristretto.machine.BlockDevice;
import ristretto.machine.Machine;
import ristretto.machine.SerialDevice;
import ristretto.user.Entry;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Sigma0;
import ristretto.user.Sigma0Client;

/**
 * One booted system: a machine, its kernel, sigma0 and a root task program. Before the root
 * task's program starts, its thread asks sigma0 for its memory region (16 MiB at 16 MiB), which
 * then appears 1:1 in its space; the rest of memory it gets from sigma0 too, by faulting or
 * asking ({@link Sigma0Client}).
 *
 * <p>Programs are trusted host code (tests, Ristretto's own demo and checks: their entries start
 * in any space and share their statics), or loaded from a {@link Loading}: the root task of
 * {@code run} and every program image, each through its space's class loader.
 */
public final class Ristretto {
    public static final long ROOT_MEMORY_BASE = 16L << 20, ROOT_MEMORY_SIZE = 16L << 20;

    private final Machine machine;
    private final Kernel kernel;
    /** The root task's program, set before the machine first runs (the root's entry reads it then). */
    private final Program[] root;
    /** The IP of each program image linked so far, by class: one code-image slot per class. */
    private final Map<String, Long> images = new HashMap<>();

    private Ristretto(Machine machine, Kernel kernel, Program[] root) {
        this.machine = machine;
        this.kernel = kernel;
        this.root = root;
    }

    public static Ristretto boot(Machine.Config machineConfig, Kernel.Options options, Program root) {
        return boot(machineConfig, options, root, List.of());
    }

    /**
     * Boots a system whose root task runs {@code root} and sees {@code args} ({@link L4#args}).
     *
     * @throws LinkException if the program's {@link Program#link} throws
     */
    public static Ristretto boot(Machine.Config machineConfig, Kernel.Options options, Program root, List<String> args) {
        return boot(machineConfig, options, root, args, Loading.SHIPPED);
    }

    /**
     * As above, with the root task's program trusted host code (loaded by the host, its entries
     * start in any space), and the program images it and its children start loaded from {@code images}.
     */
    public static Ristretto boot(Machine.Config machineConfig, Kernel.Options options, Program root, List<String> args, Loading images) {
        Ristretto sys = assemble(machineConfig, options, images, args);
        sys.link(root, null);
        return sys;
    }

    /**
     * Boots a system whose root task's program comes from {@code program} like any program image:
     * {@code root} makes it from the root space's own class loader, so its statics are its own.
     *
     * @throws E what {@code root} throws when the program cannot be loaded
     * @throws LinkException if the program's {@link Program#link} throws
     */
    public static <E extends Exception> Ristretto boot(Machine.Config machineConfig, Kernel.Options options, Loading program,
                                                       RootLoader<E> root, List<String> args) throws E {
        Ristretto sys = assemble(machineConfig, options, program, args);
        SpaceLoader loader = sys.kernel.spaceLoader(sys.kernel.rootTaskId());
        sys.link(root.load(loader), loader);
        return sys;
    }

    /** Makes the root task's program from the root space's class loader; throws {@code E} if it cannot. */
    @FunctionalInterface
    public interface RootLoader<E extends Exception> {
        Program load(SpaceLoader rootSpace) throws E;
    }

    private static Ristretto assemble(Machine.Config machineConfig, Kernel.Options options, Loading loading, List<String> args) {
        Machine m = new Machine(machineConfig);
        Sigma0 sigma0 = new Sigma0();
        Program[] root = new Program[1];
        Kernel k = Boot.boot(m, options, new Boot.Image(adapt(sigma0::main), null, adapt(l4 -> {
            if (!Sigma0Client.getRegion(l4, ROOT_MEMORY_BASE, ROOT_MEMORY_SIZE))
                throw new IllegalStateException("sigma0 did not map the root task's memory region");
            root[0].main(l4);
        }, args),
                ROOT_MEMORY_BASE, ROOT_MEMORY_SIZE));
        k.setLoading(loading);
        return new Ristretto(m, k, root);
    }

    /** Links the root task's program; its entries belong to {@code owner}'s space (null: trusted, any space). */
    private void link(Program program, SpaceLoader owner) {
        root[0] = program;
        try {
            program.link(new SpaceLinker(owner));
        } catch (RuntimeException | Error e) {
            throw new LinkException(program.getClass().getName() + ".link failed: " + e, e);
        }
    }

    /** The linker of one program: its entries belong to the space of {@code owner}. */
    private final class SpaceLinker implements Linker {
        private final SpaceLoader owner;

        SpaceLinker(SpaceLoader owner) { this.owner = owner; }

        @Override public long entry(String name, Entry code) { return kernel.registerEntry(name, adapt(code), owner); }

        @Override public long image(String className) {
            return images.computeIfAbsent(className,
                    c -> kernel.registerImage(new ProgramImage(c, Program.class, Ristretto.this::launch)));
        }
    }

    /** A thread started at a program image: the kernel has made the program in its space; link it there and run it. */
    private void launch(Object program, SpaceLoader loader, UserCpu cpu, long ip, long sp) {
        Program p = (Program) program;
        p.link(new SpaceLinker(loader));
        adapt(p::main).start(cpu, ip, sp);
    }

    public static Ristretto boot(Program root) {
        return boot(Machine.Config.defaults(), Kernel.Options.defaults(), root);
    }

    /** Wraps user code as an entry the kernel can start: it gets its own L4 library object. */
    public static UserEntry adapt(Entry code) { return adapt(code, List.of()); }

    /** As {@link #adapt(Entry)}, for code that sees the program arguments {@code args}. */
    public static UserEntry adapt(Entry code, List<String> args) {
        List<String> a = List.copyOf(args);
        return (cpu, ip, sp) -> {
            try {
                code.run(new L4(cpu, ip, sp, a));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new UserProgramException(e);
            }
        };
    }

    /** The root task's {@link Program#link} failed: it could not be loaded. */
    public static final class LinkException extends RuntimeException {
        public LinkException(String message, Throwable cause) { super(message, cause); }
    }

    /** A checked exception thrown by user code, carried out of its thread. */
    public static final class UserProgramException extends RuntimeException {
        public UserProgramException(Throwable cause) { super(cause); }
    }

    public Machine machine() { return machine; }

    /**
     * Attaches a serial console on {@link ristretto.abi.DeviceRegs#CONSOLE_LINE} writing to
     * {@code out} and, unless {@code in} is null, reading {@code in} on a host thread (an idle
     * machine then waits for its input until it ends). Before {@link #run}.
     */
    public SerialDevice attachConsole(java.io.PrintStream out, java.io.InputStream in) {
        SerialDevice d = new SerialDevice(ristretto.abi.DeviceRegs.CONSOLE_LINE, out);
        if (in != null) d.input(in);
        machine.attach(d);
        return d;
    }

    /** Attaches a programmable timer on {@link ristretto.abi.DeviceRegs#TIMER_LINE}. Before {@link #run}. */
    public ristretto.machine.ProgrammableTimer attachTimer() {
        ristretto.machine.ProgrammableTimer d = new ristretto.machine.ProgrammableTimer(ristretto.abi.DeviceRegs.TIMER_LINE);
        machine.attach(d);
        return d;
    }

    /** Attaches a block device backed by {@code file} on {@link ristretto.abi.DeviceRegs#DISK_LINE}. Before {@link #run}. */
    public BlockDevice attachDisk(java.nio.file.Path file) throws java.io.IOException {
        BlockDevice d = new BlockDevice(ristretto.abi.DeviceRegs.DISK_LINE, file);
        machine.attach(d);
        return d;
    }

    public Kernel kernel() { return kernel; }

    /** Runs until the machine halts (no runnable thread, nothing to wake); answers why. */
    public String run() { return kernel.run(); }

    /** How the run ended, judged from the halt reason {@link #run} answered and the root task's state. */
    public RunOutcome outcome(String haltReason) { return RunOutcome.of(kernel, haltReason); }

    /** Stepped mode: runs until the machine idles once and answers null, or why it halted ({@link Kernel#runUntilIdle}). */
    public String runUntilIdle() { return kernel.runUntilIdle(); }

    /** Stepped mode, {@code n} idles a step ({@link Kernel#runIdles}). */
    public String runIdles(long n) { return kernel.runIdles(n); }
}
