/**
 * The L4 X.2 kernel: thread control blocks ({@link ristretto.kernel.Tcb}), address spaces
 * ({@link ristretto.kernel.Space}), the per-CPU dispatcher and scheduler
 * ({@link ristretto.kernel.Processor}), IPC with its fast path, timeouts, the system calls and
 * boot.
 *
 * <p>May depend on {@code ristretto.abi} and {@code ristretto.machine}; never on the user
 * library, the system assembly or the CLI. Every system call validates its arguments first and
 * performs second; expected outcomes are X.2 error codes written to the caller's UTCB, never
 * Java exceptions.
 */
package ristretto.kernel;
