/**
 * The L4 X.2 application binary interface, 64-bit flavour: the word layouts of thread IDs,
 * message tags, timeouts, fpages, error codes, ExchangeRegisters control words, and the UTCB
 * and KIP offsets, plus {@link ristretto.abi.UserCpu}, the user-mode view of a processor.
 *
 * <p>Shared by the kernel and the user library. Depends on nothing but {@code java.base}.
 * Every layout is defined once, here, as constants and static helpers over {@code long}.
 */
package ristretto.abi;
