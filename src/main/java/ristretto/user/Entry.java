package ristretto.user;

/** Code a thread can start at: the body of an entry point in the code image. */
@FunctionalInterface
public interface Entry {
    void run(L4 l4) throws Exception;
}
