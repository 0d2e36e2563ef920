/**
 * User level: {@link ristretto.user.L4}, the libl4-style library (one raw stub per system call,
 * derived IPC helpers over the one Ipc primitive), the program model ({@link ristretto.user.Program},
 * {@link ristretto.user.Entry}, {@link ristretto.user.Linker}), sigma0, and example programs.
 *
 * <p>Sees only {@code ristretto.abi}: its own UTCB, registers and mapped memory through
 * {@link ristretto.abi.UserCpu}; never a kernel or machine object.
 *
 * <p>The rule for user code: hold no Java monitor and make no blocking JDK call (sleep, locks,
 * blocking queues, I/O) across a system call or memory access — the kernel, not the JVM,
 * schedules L4 threads. Wait with IPC timeouts instead. Checked mode reports violations.
 */
package ristretto.user;
