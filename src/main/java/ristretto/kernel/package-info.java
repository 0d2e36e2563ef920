/**
 * The L4 X.2 kernel. This package holds only the facade the rest of the system sees
 * ({@link ristretto.kernel.Kernel}: boot, run, inspect) and {@link ristretto.kernel.Boot}; the
 * kernel itself lives in one subpackage per concern:
 * <ul>
 *   <li>{@code thread}: TCB data, the thread table, a thread's life (create, activate, delete);
 *   <li>{@code syscall}: the trap gate and one class per system call, validate then perform;
 *   <li>{@code ipc}: the IPC phases, fast path, send queues, transfer, unwinding;
 *   <li>{@code mem}: address spaces, the UTCB area, the code image, user faults;
 *   <li>{@code sched}: the per-CPU dispatcher ({@code Processor}) and the one scheduler that
 *       decides who runs next;
 *   <li>{@code time}: the wakeup wheel and IPC timeouts;
 *   <li>{@code debug}: the trace, the invariant checker, checked mode;
 *   <li>{@code load}: loading user programs — verification, instrumentation, per-space loaders.
 * </ul>
 *
 * <p>May depend on {@code ristretto.abi} and {@code ristretto.machine}; never on the user
 * library, the system assembly or the CLI ({@code LayerTest} enforces it). None of the kernel's
 * packages is exported by the module: user code reaches the kernel only through its
 * {@link ristretto.abi.UserCpu}. Expected outcomes are X.2 error codes written to the caller's
 * UTCB, never Java exceptions.
 */
package ristretto.kernel;
