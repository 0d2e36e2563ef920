package ristretto.kernel.load;

import ristretto.abi.UserCpu;

/**
 * A program image in the code image, named by class like the ELF file an L4 loader maps. A thread
 * that starts at its IP in space S gets the class from S's {@link SpaceLoader} (S's own statics),
 * an instance from {@link Programs#instantiate}, and then runs it through {@code launcher}, which
 * the system supplies: the kernel may not name the user library's {@code Program}.
 *
 * @param type the interface the class must implement ({@code ristretto.user.Program})
 */
public record ProgramImage(String className, Class<?> type, Launcher launcher) {
    /** Runs a freshly made program on the thread that started at its image, in the space of {@code loader}. */
    @FunctionalInterface
    public interface Launcher {
        void start(Object program, SpaceLoader loader, UserCpu cpu, long ip, long sp);
    }
}
