/**
 * The simulated machine: off-heap physical memory, page tables and a per-CPU software TLB with
 * an MMU that reports faults, processors, a clock (virtual and deterministic, or real), an
 * interrupt controller with maskable lines and a periodic timer.
 *
 * <p>Knows nothing of L4. Depends only on {@code java.base}.
 */
package ristretto.machine;
