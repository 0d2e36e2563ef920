/**
 * Memory: address spaces ({@link ristretto.kernel.mem.Space}), their UTCB area and kernel areas
 * ({@code Spaces}, which also makes sigma0's roots on first use), the code image an IP names,
 * faults raised by user accesses (page-fault IPC to the pager, {@code Faults}), map and grant
 * items ({@code MapGrant}: placement in the receive window, page by page), the mapping database
 * ({@link ristretto.kernel.mem.MappingDb}: per frame, the tree of who mapped it to whom, with
 * map, grant and recursive unmap, rooted in sigma0's space), the pages an fpage names ({@code FpagePages}) and a readable report of
 * each space's mappings for {@code run --maps} ({@link ristretto.kernel.mem.MappingReport}). The
 * Unmap system call and the typed items of IPC drive it.
 */
package ristretto.kernel.mem;
