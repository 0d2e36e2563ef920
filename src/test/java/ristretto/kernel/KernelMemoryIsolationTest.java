package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import org.junit.jupiter.api.Test;
import ristretto.abi.Schedule;
import ristretto.abi.Utcb;
import ristretto.machine.Machine;
import ristretto.system.Harness;

/**
 * Issue 9, item 8: kernel memory (KIP, code image, UTCBs, kernel buffers) is never mapped into any
 * space, sigma0's included. sigma0's space is physical memory, resolved 1:1 on fault — but only
 * below the kernel's memory: before, a thread created in sigma0's space could overwrite the KIP.
 */
class KernelMemoryIsolationTest {

    @Test
    void aThreadInSigma0sSpaceCannotTouchKernelMemory() {
        long[] arg = new long[3];                      // sigma0's ID, a free UTCB slot of its space, the kernel's memory
        Scenario s = new Scenario();
        s.entry("poke", l4 -> {
            l4.store(arg[2], 0xBAD);                   // the first kernel frame
            s.log.add("wrote kernel memory");
        });
        s.entry("ordinary", l4 -> {
            l4.store(arg[2] - 8, 0x600D);              // the last word below it: physical memory, 1:1
            s.log.add("read back " + Long.toHexString(l4.load(arg[2] - 8)));
        });
        s.main(l4 -> {
            long me = l4.myGlobalId();
            long poke = id(l4, 1), ordinary = id(l4, 2);
            assertTrue(l4.threadControl(poke, arg[0], me, me, arg[1]), "create in sigma0's space");
            assertTrue(l4.threadControl(ordinary, arg[0], me, me, arg[1] + Utcb.SIZE), "create in sigma0's space");
            l4.startThread(poke, s.ip("poke"), 0);
            l4.startThread(ordinary, s.ip("ordinary"), 0);
            l4.sleepMicros(100);
            s.log.add("poke " + Schedule.resultName(l4.threadState(poke)));
        });
        Harness h = Harness.boot(Machine.Config.defaults(), Harness.testOptions(), s, Harness.TIME_LIMIT_NS);
        Kernel k = h.kernel();
        arg[0] = k.sigma0Id();
        arg[1] = k.threads.lookupGlobal(k.sigma0Id()).space.utcbBase() + 4L * Utcb.SIZE;
        arg[2] = k.kernelMemoryBase;
        long before = k.memory.load(arg[2]);
        h.runToHalt();
        assertEquals(before, k.memory.load(arg[2]), "kernel memory unchanged");
        assertEquals(java.util.List.of("read back 600d", "poke inactive"), s.log, String.join("\n", h.console));
        assertTrue(h.console.stream().anyMatch(l -> l.contains("page fault: write at 0x" + Long.toHexString(arg[2]) + " is not mapped")),
                String.join("\n", h.console));
        assertEquals(java.util.List.of(), k.invariantViolations());
    }
}
