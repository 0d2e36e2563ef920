/**
 * Loading user programs: verification of their class files ({@link ristretto.kernel.load.Verifier}),
 * instrumentation (yieldpoints), and the class loaders, one per address space.
 *
 * <p>May depend on {@code ristretto.abi}, {@code ristretto.machine} and the other kernel packages;
 * never on {@code ristretto.user}: the loader reads user classes as bytes, it does not link
 * against them.
 */
package ristretto.kernel.load;
