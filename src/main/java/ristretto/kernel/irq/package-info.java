/**
 * Interrupts (§13.3, seed 003 "Interrupt IPC"): the kernel owns the interrupt controller; each
 * device line below SystemBase has an interrupt thread ({@code (line, 1)}), made when a privileged
 * thread first associates a handler with it by ThreadControl ({@link ristretto.kernel.irq.Interrupts}).
 * A raised line masks itself and makes its thread send the handler one message
 * ({@code ipc.InterruptIpc}); the handler's acknowledgement unmasks it. May depend on {@code ipc},
 * {@code thread}, {@code mem}, {@code sched} and the machine.
 */
package ristretto.kernel.irq;
