/**
 * The simulated machine: off-heap physical memory, page tables and a per-CPU software TLB with
 * an MMU that reports faults, processors, a clock (virtual and deterministic, or real), an
 * interrupt controller with maskable lines and a periodic timer, and devices — a programmable
 * timer, a serial console, a block device backed by a host file, a scripted test device — each
 * with a line and a slot of registers in device memory above RAM, reached through the bus that
 * {@link ristretto.machine.PhysicalMemory} hands every access beyond RAM to.
 *
 * <p>Knows nothing of L4. Depends only on {@code java.base}.
 */
package ristretto.machine;
