package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import ristretto.abi.ThreadId;
import ristretto.machine.Machine;
import ristretto.system.CarrierWatch;
import ristretto.system.Harness;

/**
 * The carrier watch reports a CPU that user code left blocked in the JVM. The programs here are
 * trusted host code (the loader would refuse {@code synchronized} in a user program), standing in
 * for a JDK method that holds a monitor while it calls back into user code.
 */
class CarrierWatchTest {

    @Test
    void aMonitorHeldAcrossAKernelEntryWedgesTheCarrierAndIsReported() throws Exception {
        Object lock = new Object();
        Scenario s = new Scenario();
        long[] ids = new long[2];
        s.entry("holder", l4 -> {
            synchronized (lock) {
                l4.sleepMicros(1_000);          // yields, and on JDK 25 the frozen thread keeps the monitor
            }
        }).main(l4 -> {
            ids[0] = l4.myGlobalId();
            ids[1] = Scenario.id(l4, 1);
            Scenario.startHere(l4, ids[1], 1, s.ip("holder"));
            l4.sleepMicros(100);                // the holder runs, takes the monitor and sleeps longer
            synchronized (lock) {               // the carrier blocks for good
                l4.systemClock();
            }
        });
        assertReported(s, ids);            // as users run it: checked mode would refuse the holder's entry
    }

    /** The holder stops on a page fault (nothing is mapped at 3 GiB, its pager never answers) inside the monitor. */
    @Test
    void aThreadStoppedByAFaultWhileHoldingAMonitorIsReportedWhenAnotherWantsIt() throws Exception {
        Object lock = new Object();
        Scenario s = new Scenario();
        long[] ids = new long[2];
        s.entry("holder", l4 -> {
            synchronized (lock) {
                l4.load(3L << 30);
            }
        }).main(l4 -> {
            ids[0] = l4.myGlobalId();
            ids[1] = Scenario.id(l4, 1);
            Scenario.startHere(l4, ids[1], 1, s.ip("holder"));
            l4.sleepMicros(100);
            synchronized (lock) {
                l4.systemClock();
            }
        });
        assertReported(s, ids);
    }

    private static void assertReported(Scenario s, long[] ids) throws InterruptedException {
        Harness h = Harness.boot(Machine.Config.defaults(), Kernel.Options.defaults(), s, Harness.TIME_LIMIT_NS);
        BlockingQueue<String> reports = new ArrayBlockingQueue<>(4);
        try (CarrierWatch watch = CarrierWatch.start(h.kernel(), 5_000_000, reports::add)) {
            Thread machine = Thread.ofPlatform().daemon(true).name("wedged-machine").start(h::runToHalt);
            String report = reports.poll(30, TimeUnit.SECONDS);
            assertNotNull(report, "no report while the machine's carrier is blocked");
            assertTrue(report.startsWith("CPU 0 is wedged: L4 thread " + ThreadId.toString(ids[0])), report);
            assertTrue(report.contains("BLOCKED"), report);
            assertTrue(machine.isAlive(), "the carrier is still blocked: nothing can undo it");
        }
    }

    @Test
    void aMachineThatRunsAndIdlesIsNeverReported() throws Exception {
        Scenario s = new Scenario().main(l4 -> {
            for (int i = 0; i < 2_000; i++) l4.sleepMicros(100);
        });
        Harness h = Harness.boot(Machine.Config.defaults(), Harness.testOptions(), s, Harness.TIME_LIMIT_NS);
        BlockingQueue<String> reports = new ArrayBlockingQueue<>(4);
        try (CarrierWatch watch = CarrierWatch.start(h.kernel(), 1_000_000, reports::add)) {
            h.runToHalt();
        }
        assertNull(reports.poll(), "a healthy machine was reported");
    }

    /**
     * A machine whose only hope is host input (a handler waits for a device that raises when the
     * host says so) parks its carrier a tick of host time at a time: idle, not wedged, however
     * long the host takes. The test waits until the machine has parked 30 times (some 30 ms of
     * host time, some 300 samples of the watch), then gives it the input, and the program ends.
     */
    @Test
    void aMachineWaitingForHostInputIsNeverReported() throws Exception {
        final class HostInput extends ristretto.machine.Device {
            final java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
            volatile boolean typed;
            boolean raised;
            HostInput() { super(5); }
            @Override public long nextNs() { looks.incrementAndGet(); return ristretto.machine.EventQueue.NONE; }
            @Override public void poll(long nowNs, ristretto.machine.InterruptController pic) {
                if (typed && !raised) { raised = true; pic.raise(line()); }
            }
            @Override public boolean external() { return true; }
        }
        HostInput input = new HostInput();
        long irq = ristretto.user.L4.interruptThread(5);
        java.util.List<String> log = new java.util.ArrayList<>();
        Scenario s = new Scenario().main(l4 -> {
            l4.associateInterrupt(irq, l4.myGlobalId());
            log.add(ristretto.user.L4.isInterrupt(l4.waitAny()) ? "input" : "other");
            l4.deassociateInterrupt(irq);
        });
        Harness h = Harness.boot(Machine.Config.defaults(), Kernel.Options.defaults(), s, Harness.TIME_LIMIT_NS);
        h.kernel().machine().attach(input);
        BlockingQueue<String> reports = new ArrayBlockingQueue<>(4);
        // Sampled every 100 µs: the carrier parks a millisecond at a time, so every park is seen twice.
        try (CarrierWatch watch = CarrierWatch.start(h.kernel(), 100_000, reports::add)) {
            Thread machine = Thread.ofPlatform().daemon(true).name("waiting-machine").start(h::runToHalt);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (input.looks.get() < 30 && System.nanoTime() < deadline) Thread.onSpinWait();
            input.typed = true;
            h.kernel().machine().cpu(0).requestCheck();
            machine.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(!machine.isAlive(), "the input ended the program");
        }
        assertTrue(input.looks.get() >= 30, "the machine waited for the host");
        assertEquals(java.util.List.of("input"), log);
        assertNull(reports.poll(), "a machine waiting for host input was reported");
    }
}
