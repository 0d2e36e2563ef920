package ristretto.user;

/**
 * Places a program's entry points into the code image and answers their IPs. A program links
 * once, when it is loaded: the root task at boot, a program image when a thread starts at it.
 */
public interface Linker {
    /**
     * Links {@code code} as the entry point {@code name}. It belongs to the program's space: a
     * thread of a space that runs a program of its own cannot start at it.
     */
    long entry(String name, Entry code);

    /**
     * The IP of the program image of class {@code className} (a {@link Program} with a public
     * no-arg constructor), like the ELF file an L4 loader maps. A thread that starts at it loads
     * the class through its own space's class loader, so the program's code and statics are that
     * space's, makes an instance, links it and runs its {@link Program#main}. A class that cannot
     * be loaded, refused, or whose static initialiser or constructor throws stops the thread
     * with a one-line report, like a fault.
     */
    long image(String className);
}
