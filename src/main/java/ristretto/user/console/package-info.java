/**
 * The console server and its client: the system's output and line input go through a user-level
 * server that drives the serial console ({@code drivers.SerialDriver}) and is reached by IPC —
 * {@link ristretto.user.console.ConsoleServer} (the thread body) and {@link
 * ristretto.user.console.Console} (a printf-style client). User code; uses {@code ristretto.abi}
 * and the user library only.
 */
package ristretto.user.console;
