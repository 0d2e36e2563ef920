/**
 * Loading user programs: verification, instrumentation, per-space class loaders. Depends on
 * {@code abi}, {@code machine} and the kernel packages, never {@code user}.
 *
 * <p>{@link ristretto.kernel.load.Yieldpoints} inserts the preemption checks of the instruction
 * meter ({@code kernel.sched.Meter}) into user classes as they are loaded.
 */
package ristretto.kernel.load;
