/**
 * Loading user programs: verification of their class files ({@link ristretto.kernel.load.Verifier}),
 * instrumentation ({@link ristretto.kernel.load.Yieldpoints}: the preemption checks of the
 * instruction meter, {@code kernel.sched.Meter}, entered through {@code kernel.meter.MeterGate}),
 * and the class loaders, one per address space.
 *
 * <p>{@link ristretto.kernel.load.SpaceLoader} defines a program's classes once per address
 * space, so that statics are per space like memory; a {@link ristretto.kernel.load.ProgramSource}
 * says where class files come from and a {@link ristretto.kernel.load.ClassTransform} what is done
 * to each before it is defined ({@link ristretto.kernel.load.Sandbox}: verify, then instrument).
 *
 * <p>May depend on {@code ristretto.abi}, {@code ristretto.machine} and the other kernel packages;
 * never on {@code ristretto.user}: the loader reads user classes as bytes, it does not link
 * against them.
 */
package ristretto.kernel.load;
