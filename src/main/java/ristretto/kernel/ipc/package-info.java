/**
 * IPC (§8, §9): the slow path's send and receive phases ({@code Ipc}), the fast path (guards,
 * then one commit), send queues, closed-receive waiter rings, message transfer with its typed
 * items ({@code TypedItems}), kernel-generated IPC on a thread's behalf ({@code KernelMessage}:
 * page faults, exceptions, preemption messages), and unwinding a blocked IPC. Who runs after an IPC is asked of {@code sched.Scheduler}, never decided here.
 */
package ristretto.kernel.ipc;
