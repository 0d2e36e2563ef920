package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.mem.Space;
import ristretto.machine.Machine;
import ristretto.system.Ristretto;

/**
 * Deleting threads at scale (§11.1 step 5): 100,000 threads alive at once — inactive ones, and
 * active ones blocked in every way a deletion has to undo: servers in a closed receive, senders
 * queued on them, receivers waiting for them specifically — are all deleted, in an order that
 * deletes woken (ready) threads as well as blocked ones. Afterwards every slot and every UTCB
 * location is free, and the kernel's invariants hold before and after. A deletion walks only the
 * thread's own send queue and waiter ring: a kernel that scanned the thread table (2^18 slots)
 * per deletion spends some twenty times longer deleting them than creating them, and fails.
 */
class ThreadDeletionScaleTest {

    private static final int THREADS = 100_000;
    /** Per group of five: two inactive threads, a server W, a sender queued on W, a receiver waiting for W. */
    private static final int GROUP = 5;
    /**
     * 256 MiB: 64 MiB of kernel memory, 16,384 frames, room for the 60,000 active threads' UTCBs
     * (four to a frame); inactive threads take no frame.
     */
    private static final Machine.Config MACHINE_256 = Machine.Config.defaults().withMemory(256L << 20);

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aHundredThousandThreadsInEveryIpcStateAreDeletedLeavingEverySlotAndUtcbLocationFree() {
        List<String> log = new ArrayList<>();
        int[] activeSlots = new int[1];
        long[] clock = new long[2];
        Scenario s = new Scenario();
        s.entry("server", l4 -> l4.receive(l4.pager()));         // waits for the root, which never sends
        s.entry("sender", l4 -> { l4.loadMsg(0x5E, 1); l4.send(l4.startSp()); });
        s.entry("receiver", l4 -> l4.receive(l4.startSp()));
        s.entry("reborn", l4 -> { l4.receive(l4.pager()); l4.loadMsg(0xB0); l4.reply(l4.pager()); });
        s.main(l4 -> {
            long me = l4.myGlobalId();
            int slot = 1;
            for (int g = 0; g < THREADS / GROUP; g++) {
                int i = g * GROUP;
                for (int k = 0; k < 2; k++) {
                    if (!l4.threadControl(id(l4, 1 + i + k), me, me, ThreadId.NIL, -1)) throw new IllegalStateException("create " + l4.errorCode());
                }
                long w = id(l4, 3 + i);
                startHere(l4, w, slot++, s.ip("server"));
                createHere(l4, id(l4, 4 + i), slot++);
                l4.startThread(id(l4, 4 + i), s.ip("sender"), w);
                createHere(l4, id(l4, 5 + i), slot++);
                l4.startThread(id(l4, 5 + i), s.ip("receiver"), w);
            }
            activeSlots[0] = slot - 1;
            l4.sleepMicros(10_000_000);                           // all run and block; the host looks
            for (int i = 0; i < GROUP; i++) log.add("before: " + Schedule.resultName(l4.threadState(id(l4, 1 + i))));
            clock[0] = l4.systemClock();
            for (int g = 0; g < THREADS / GROUP; g++) {
                int i = g * GROUP;
                // Even groups: the server first (its sender and receiver wake, and are deleted
                // while ready); odd groups: the server last (its queue and ring are empty by then).
                int[] order = g % 2 == 0 ? new int[] {1, 2, 3, 4, 5} : new int[] {5, 4, 2, 1, 3};
                for (int k : order) if (!kill(l4, id(l4, k + i))) throw new IllegalStateException("delete " + l4.errorCode());
            }
            clock[1] = l4.systemClock();
            for (int i = 0; i < GROUP; i++) log.add("after: " + Schedule.resultName(l4.threadState(id(l4, 1 + i))));
            // A number and a UTCB location are reusable.
            long reborn = id(l4, 3, 2);
            startHere(l4, reborn, 1, s.ip("reborn"));
            l4.loadMsg(0xA0);
            l4.call(reborn);
            log.add("reborn answers: " + Long.toHexString(l4.mr(0) >>> 16) + " from its local ID " + (l4.from() == l4.localIdOf(reborn)));
            kill(l4, reborn);
        });
        // Checked mode takes a thread dump at every kernel entry: too slow for 400,000 system calls.
        Ristretto sys = Ristretto.boot(MACHINE_256, Kernel.Options.defaults(), s);
        List<String> console = new ArrayList<>();
        sys.kernel().setConsole(console::add);
        Kernel k = sys.kernel();
        int root = ThreadId.number(k.rootTaskId());

        long t0 = System.nanoTime();
        assertNull(sys.runUntilIdle(), "the root sleeps with every thread created and blocked");
        assertEquals(THREADS + 2, k.liveThreads(), "plus sigma0 and the root task");
        assertEquals(List.of(), k.invariantViolations(), "with every thread blocked");
        long t1 = System.nanoTime();
        String halt = sys.run();
        long t2 = System.nanoTime();
        System.out.printf("ThreadDeletionScaleTest: %,d threads created and blocked in %,d ms; deleted in %,d ms (%,d µs of virtual time)%n",
                THREADS, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, clock[1] - clock[0]);

        long createMs = (t1 - t0) / 1_000_000, deleteMs = (t2 - t1) / 1_000_000;
        // Deleting costs a few hundred ns a thread here, against ~80 µs with a scan of the table
        // per deletion (the kernel before 6f4cfd0): deleting must not take longer than creating
        // and starting them all did, or a second. Generous to a loaded machine.
        assertTrue(deleteMs <= Math.max(1000, 2 * createMs),
                "deleting " + THREADS + " threads took " + deleteMs + " ms, creating and starting them " + createMs + " ms");
        assertEquals(List.of(), console);
        assertEquals("no runnable thread and nothing left to wake", halt);
        assertEquals(List.of("before: dead", "before: dead", "before: waiting", "before: pending send", "before: waiting",
                "after: error", "after: error", "after: error", "after: error", "after: error",
                "reborn answers: b0 from its local ID true"), log);
        assertEquals(2, k.liveThreads(), "sigma0 and the root task");
        for (int i = 1; i <= THREADS; i++) assertNull(k.threads.slot(root + i), "slot " + (root + i));
        Space rootSpace = k.threads.lookupGlobal(k.rootTaskId()).space;
        assertEquals(1, rootSpace.threads);
        assertEquals(THREADS * 3 / GROUP, activeSlots[0]);
        for (int i = 1; i <= activeSlots[0]; i++) assertNull(rootSpace.utcbOwner(rootUtcb(i)), "UTCB slot " + i);
        assertEquals(List.of(), k.invariantViolations());
        assertFalse(k.processors[0].scheduler.hasReady(), "no deleted thread left in a ready queue");
    }
}
