package ristretto.abi;

import java.lang.foreign.MemorySegment;

/**
 * The user-mode view of the processor an L4 thread runs on: the X.2 system-call instructions,
 * loads and stores through the MMU, the thread's own UTCB, and the result registers of the last
 * system call. This is the whole contract between user code and the kernel; the kernel
 * implements it, the user library ({@code ristretto.user.L4}) wraps it.
 *
 * <p>Rules for code that runs on an L4 thread: no Java monitor may be held and no blocking JDK
 * call made across a system call or memory access (the kernel, not the JVM, schedules L4 threads;
 * a checked mode detects held monitors). Results beyond the first word come back in registers
 * read with {@link #reg(int)}.
 */
public interface UserCpu {

    /** Result-register indices of the system calls that return more than one word. */
    int R_CONTROL = 0, R_SP = 1, R_IP = 2, R_FLAGS = 3, R_HANDLE = 4, R_PAGER = 5;
    int R_TIME_CONTROL = 0;
    int R_API_VERSION = 0, R_API_FLAGS = 1, R_KERNEL_ID = 2;
    /** How many result registers there are: {@link #reg(int)} takes 0 .. this - 1. */
    int RESULT_REGISTERS = 6;

    /** Ipc(to, FromSpecifier, Timeouts): returns From; the received tag (or error tag) is in MR0. */
    long ipc(long to, long fromSpecifier, long timeouts);

    /** Lipc: same-space IPC addressed by local IDs. Same semantics as {@link #ipc}. */
    long lipc(long to, long fromSpecifier, long timeouts);

    /** Returns the result thread ID; old control, SP, IP, flags, handle, pager in registers. */
    long exchangeRegisters(long dest, long control, long sp, long ip, long flags, long handle, long pager);

    /** Returns 1 on success, 0 on failure (ErrorCode TCR set). */
    long threadControl(long dest, long spaceSpecifier, long scheduler, long pager, long utcbLocation);

    /** Returns 1 on success, 0 on failure; control' in register {@link #R_CONTROL}. */
    long spaceControl(long spaceSpecifier, long control, long kipArea, long utcbArea, long redirector);

    /** Returns the thread-state result (0 = error); TimeControl' in register {@link #R_TIME_CONTROL}. */
    long schedule(long dest, long timeControl, long processorControl, long prioControl, long preemptionControl);

    void threadSwitch(long dest);

    /**
     * Unmap (§11.6) of the fpages in MR0..MRk, k = control bits 0-5; bit 6 ({@link Fpage#UNMAP_FLUSH})
     * also revokes the caller's own mappings. Each MR comes back with the status bits in its rwx.
     * Returns 0 (Unmap has no other result).
     */
    long unmap(long control);

    /** Microseconds since boot, from the machine clock. */
    long systemClock();

    /**
     * An explicit trap (the architecture's software exception): the kernel sends the thread's
     * exception handler the exception message ({@link ExceptionMessage}, kind {@link
     * ExceptionMessage#TRAP}, MR4 = {@code code}) and returns once the handler's reply resumes
     * the thread at its old IP. A reply with another IP starts the thread afresh there; no handler
     * or no resuming reply stops it (resumed, it returns from here). The thread's MRs are kept.
     */
    void trap(long code);

    /** Returns the KIP's address in the caller's space; version, flags, kernel id in registers. */
    long kernelInterface();

    /** A result register of the last system call. */
    long reg(int index);

    /** Loads a 64-bit word from user-virtual address {@code vaddr} (8-byte aligned): the fastest access. */
    long load(long vaddr);

    /** Stores a 64-bit word to user-virtual address {@code vaddr} (8-byte aligned). */
    void store(long vaddr, long value);

    /**
     * Fetches a 64-bit word for execution from {@code vaddr} (8-byte aligned): as {@link #load}, but
     * the page needs X rights and its X status bit records the access.
     */
    long fetch(long vaddr);

    /**
     * Loads a little-endian value of {@code bytes} bytes (1, 2, 4 or 8), zero-extended, from
     * {@code vaddr}, which must be a multiple of the size. Any other size is a user fault.
     */
    long load(long vaddr, int bytes);

    /** Stores the low {@code bytes} bytes (1, 2, 4 or 8) of {@code value}, little-endian, as {@link #load(long, int)}. */
    void store(long vaddr, long value, int bytes);

    /**
     * Copies {@code len} bytes from {@code vaddr} into {@code dst[off..]}, with no alignment
     * needed. The range is translated page by page, so a fault may arise at each page (the pieces
     * before it are then already copied); it costs one access per 8 bytes or part of each page's
     * piece. A range outside {@code dst} is a user fault, found before any memory is touched.
     * Servers move buffers with it rather than with a loop of word loads.
     */
    void read(long vaddr, byte[] dst, int off, int len);

    /** Copies {@code src[off..off+len)} to {@code vaddr}: the converse of {@link #read}, needing W rights. */
    void write(long vaddr, byte[] src, int off, int len);

    /**
     * This thread's own UTCB, 1024 bytes laid out as {@link Utcb} says. It cannot fault. Ask for
     * it at each use rather than keeping it: when ThreadControl moves the thread to another space
     * its UTCB moves too (a new location, a new frame), possibly while the thread is preempted.
     */
    MemorySegment utcb();
}
