package ristretto.user;

/**
 * A user program, such as the root task: {@link #link} declares the extra entry points its
 * threads may start at (their IPs are fixed at load time), {@link #main} runs on the first thread.
 */
public interface Program {
    default void link(Linker linker) {}

    void main(L4 l4) throws Exception;
}
