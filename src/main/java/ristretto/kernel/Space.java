package ristretto.kernel;

import ristretto.machine.PageTable;

/**
 * An address space: its page table, KIP and UTCB areas (fixed by SpaceControl), redirector,
 * and the number of threads that live in it. Destroyed with its last thread.
 */
final class Space {
    final int id;
    final PageTable pageTable = new PageTable();
    /** KIP area fpage and UTCB area fpage; 0 until SpaceControl initialises the space. */
    long kipArea, utcbArea;
    /** X.2 redirector (global thread ID) or NIL; IPC leaving the space goes there instead. */
    long redirector;
    boolean privileged;
    /** True for sigma0's space: its faults are resolved 1:1 by the kernel. */
    boolean physical;
    int threads;

    Space(int id) { this.id = id; }

    boolean initialized() { return kipArea != 0; }

    long kipBase() { return ristretto.abi.Fpage.address(kipArea); }

    long utcbBase() { return ristretto.abi.Fpage.address(utcbArea); }

    long utcbSize() { return 1L << ristretto.abi.Fpage.log2Size(utcbArea); }

    @Override public String toString() { return "space" + id; }
}
