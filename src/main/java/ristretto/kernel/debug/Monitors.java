package ristretto.kernel.debug;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import ristretto.abi.ThreadId;
import ristretto.kernel.thread.Tcb;

/**
 * Checked mode's guard for the one rule of user code: no Java monitor may be held across a
 * kernel entry. A continuation that yields inside {@code synchronized} would deadlock the CPU
 * or break mutual exclusion (see jvm-execution.md), so the kernel refuses the entry with a
 * clear error (an {@code IllegalMonitorStateException}) instead. Costly (a thread dump of the carrier), hence only in checked mode.
 */
public final class Monitors {
    private Monitors() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void checkNoneHeld(Tcb self) {
        ThreadInfo[] info = MX.getThreadInfo(new long[] {Thread.currentThread().threadId()}, true, false);
        if (info.length > 0 && info[0] != null && info[0].getLockedMonitors().length > 0)
            throw new IllegalMonitorStateException("L4 thread " + ThreadId.toString(self.globalId)
                    + " entered the kernel holding a Java monitor (" + info[0].getLockedMonitors()[0]
                    + "): user code must not hold monitors across system calls or memory accesses");
    }
}
