/**
 * The system calls: the trap gate ({@link ristretto.kernel.syscall.TrapGate}, the only kernel
 * object user code holds) and one class per call, each validating every argument before it
 * changes anything; failures set the ErrorCode TCR through one helper ({@code Errors}). The IPC
 * call itself lives in {@code ipc}. The top of the kernel: nothing else in it depends on this
 * package except the TCB's creation.
 */
package ristretto.kernel.syscall;
