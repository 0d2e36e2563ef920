/**
 * Assembles a runnable system: a {@link ristretto.machine.Machine}, a kernel booted with sigma0
 * and a root task, and the loader that links user programs into the code image.
 *
 * <p>May depend on every other layer; nothing but the CLI, tests and benchmarks depend on it.
 */
package ristretto.system;
