/**
 * Time: the hierarchical wakeup wheel that holds IPC deadlines, and timeouts (§6) turned into
 * deadlines on it. A CPU's wheel posts its earliest deadline to the machine's event queue, so a
 * timeout fires when the clock reaches it, not at the next tick.
 */
package ristretto.kernel.time;
