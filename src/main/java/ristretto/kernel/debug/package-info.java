/**
 * Watching the kernel: the event trace, the invariant checker, and checked mode's guard against
 * user code that holds a Java monitor across a kernel entry. Reads kernel state; changes none.
 */
package ristretto.kernel.debug;
