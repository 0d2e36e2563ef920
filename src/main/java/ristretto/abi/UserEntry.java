package ristretto.abi;

/**
 * Code at an entry point of a space's code image: what runs when a thread starts at an IP.
 * The kernel calls it on the thread's own stack with the thread's {@link UserCpu}.
 */
@FunctionalInterface
public interface UserEntry {
    void start(UserCpu cpu, long ip, long sp);
}
