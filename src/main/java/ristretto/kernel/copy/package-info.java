/**
 * How the bytes of string items move between address spaces (seeds 000 and 001), behind one
 * interface ({@link ristretto.kernel.copy.StringCopy}) chosen at boot: copy in / copy out through a
 * per-CPU kernel buffer ({@code CopyInOut}), or one copy through a temporary mapping of the
 * receiver's buffer into the CPU's kernel window ({@code TemporaryMapping}). A strategy copies
 * until the first page that does not translate and says where that was; faults, timeouts and
 * aborts are the IPC's ({@code ipc.StringTransfer}). May depend on {@code machine} and on the
 * kernel facade's options; nothing else in the kernel.
 */
package ristretto.kernel.copy;
