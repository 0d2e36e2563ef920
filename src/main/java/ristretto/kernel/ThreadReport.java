package ristretto.kernel;

/**
 * What the kernel knows about one live thread, for the report a host prints when a run ends:
 * its global ID, its state ({@code ThreadState} name), the thread it is blocked on and why it
 * stopped.
 *
 * @param globalId   the thread's global ID
 * @param state      the state name: running, polling, waiting_forever, halted, ...
 * @param partner    while sending or receiving (polling, waiting_*, locked_*): the partner's
 *                   global ID, or {@code ThreadId.ANY}/{@code ANY_LOCAL} for an open receive;
 *                   otherwise 0
 * @param stopReason why a halted thread stopped on its own (returned, threw, faulted); null
 *                   if it is not halted or was halted by ExchangeRegisters
 * @param fault      while the thread is in a page-fault IPC to its pager: the fault, as
 *                   {@code page fault: write at 0x4000}; otherwise null
 */
public record ThreadReport(long globalId, String state, long partner, String stopReason, String fault) {}
