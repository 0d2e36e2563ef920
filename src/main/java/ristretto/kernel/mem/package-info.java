/**
 * Memory: address spaces ({@link ristretto.kernel.mem.Space}), their UTCB area and kernel areas
 * ({@code Spaces}), the code image an IP names, faults raised by user accesses, and the mapping
 * database ({@link ristretto.kernel.mem.MappingDb}: per frame, the tree of who mapped it to whom,
 * with map, grant and recursive unmap). Map and grant items in IPC, page-fault IPC and sigma0
 * come next and will drive the database.
 */
package ristretto.kernel.mem;
