/**
 * User-level device drivers: threads that map their device's registers from sigma0
 * ({@link ristretto.user.drivers.DeviceMemory}), touch them with loads and stores, and take their
 * device's interrupts as IPC from its interrupt thread. Register layouts are in
 * {@code ristretto.abi} ({@code SerialRegs}, {@code BlockRegs}, {@code TimerRegs}). Like all user
 * code, depends on {@code ristretto.abi} and {@code ristretto.user} only.
 */
package ristretto.user.drivers;
