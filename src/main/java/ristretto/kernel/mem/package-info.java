/**
 * Memory: address spaces ({@link ristretto.kernel.mem.Space}), their UTCB area and kernel areas
 * ({@code Spaces}), the code image an IP names, and faults raised by user accesses. The memory
 * issue adds the mapping database and pagers here.
 */
package ristretto.kernel.mem;
