/**
 * Threads: the TCB ({@link ristretto.kernel.thread.Tcb}, data only), the thread table that
 * resolves global and local IDs, and a thread's life ({@link ristretto.kernel.thread.Lifecycle}).
 * Used by every other kernel package; uses {@code ipc}, {@code sched}, {@code mem} and
 * {@code time} only to carry out a deletion or activation.
 */
package ristretto.kernel.thread;
