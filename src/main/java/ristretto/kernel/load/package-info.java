/**
 * Loading user programs: verification, instrumentation, per-space class loaders; depends on abi,
 * machine and kernel packages, never user.
 */
package ristretto.kernel.load;
