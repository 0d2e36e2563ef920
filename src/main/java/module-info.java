/**
 * Ristretto: an L4 X.2 microkernel on a machine simulated in the JVM.
 *
 * <p>Exports only what user programs and embedders may use: the ABI ({@code abi}), the user
 * library ({@code user} and its servers and checks) and the system facade ({@code system}).
 * The kernel and the machine stay inside: code outside the module, which is where user programs
 * are loaded, can neither name nor reflect into them. Nothing is opened, except the command lines
 * ({@code cli}, and the bench commands) to picocli, which fills their option fields by reflection.
 */
module ristretto {
    requires java.management;      // checked mode reads the carrier's held monitors
    requires info.picocli;
    requires jmh.core;             // the bench commands; run from the class path (see ./ristretto)
    requires java.compiler;        // run File.java compiles the source in memory
    requires jdk.compiler;         // ... and finds its first top-level class

    exports ristretto.abi;
    exports ristretto.user;
    exports ristretto.user.l4test;
    exports ristretto.user.drivers;
    exports ristretto.user.console;
    exports ristretto.system;

    opens ristretto.cli to info.picocli;
    opens ristretto.bench to info.picocli;
}
