/**
 * Loading user programs: verification, instrumentation, per-space class loaders. Depends on the
 * abi, machine and kernel packages, never on user.
 *
 * <p>{@link ristretto.kernel.load.SpaceLoader} defines a program's classes once per address
 * space, so that statics are per space like memory; a {@link ristretto.kernel.load.ProgramSource}
 * says where class files come from and a {@link ristretto.kernel.load.ClassTransform} what is done
 * to each before it is defined.
 */
package ristretto.kernel.load;
