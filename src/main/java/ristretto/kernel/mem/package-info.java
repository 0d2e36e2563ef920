/**
 * Memory: address spaces ({@link ristretto.kernel.mem.Space}), their UTCB area and kernel areas
 * ({@code Spaces}), the code image an IP names, faults raised by user accesses, and the mapping
 * database ({@link ristretto.kernel.mem.MappingDb}: per frame, the tree of who mapped it to whom,
 * with map, grant and recursive unmap; the kernel's one instance holds the root task's memory,
 * derived from sigma0's), the pages an fpage names ({@code FpagePages}) and a readable report of
 * each space's mappings for {@code run --maps} ({@link ristretto.kernel.mem.MappingReport}). The
 * Unmap system call drives it; map and grant items in IPC, page-fault IPC and sigma0 come next.
 */
package ristretto.kernel.mem;
