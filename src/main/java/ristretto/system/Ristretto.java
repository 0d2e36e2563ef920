package ristretto.system;

import java.util.List;
import ristretto.abi.UserEntry;
import ristretto.kernel.Boot;
import ristretto.kernel.Kernel;
import ristretto.machine.Machine;
import ristretto.user.Entry;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Sigma0;

/**
 * One booted system: a machine, its kernel, sigma0 and a root task program. The root task's
 * memory region (16 MiB at 16 MiB) is mapped 1:1 into its space by the boot loader.
 */
public final class Ristretto {
    public static final long ROOT_MEMORY_BASE = 16L << 20, ROOT_MEMORY_SIZE = 16L << 20;

    private final Machine machine;
    private final Kernel kernel;

    private Ristretto(Machine machine, Kernel kernel) {
        this.machine = machine;
        this.kernel = kernel;
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
        Machine m = new Machine(machineConfig);
        Sigma0 sigma0 = new Sigma0();
        Kernel k = Boot.boot(m, options, new Boot.Image(adapt(sigma0::main), null, adapt(root::main, args),
                ROOT_MEMORY_BASE, ROOT_MEMORY_SIZE));
        Linker linker = (name, code) -> k.registerEntry(name, adapt(code));
        try {
            root.link(linker);
        } catch (RuntimeException | Error e) {
            throw new LinkException(root.getClass().getName() + ".link failed: " + e, e);
        }
        return new Ristretto(m, k);
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

    /** A program's {@link Program#link} failed: it could not be loaded. */
    public static final class LinkException extends RuntimeException {
        public LinkException(String message, Throwable cause) { super(message, cause); }
    }

    /** A checked exception thrown by user code, carried out of its thread. */
    public static final class UserProgramException extends RuntimeException {
        public UserProgramException(Throwable cause) { super(cause); }
    }

    public Machine machine() { return machine; }

    public Kernel kernel() { return kernel; }

    /** Runs until the machine halts (no runnable thread, nothing to wake); answers why. */
    public String run() { return kernel.run(); }

    /** How the run ended, judged from the halt reason {@link #run} answered and the root task's state. */
    public RunOutcome outcome(String haltReason) { return RunOutcome.of(kernel, haltReason); }

    /** Stepped mode: runs until the machine idles once and answers null, or why it halted ({@link Kernel#runUntilIdle}). */
    public String runUntilIdle() { return kernel.runUntilIdle(); }
}
