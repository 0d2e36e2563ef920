package ristretto.machine;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * A CPU's event queue: one due time per source; posting can only bring the earliest time
 * forward, cancelling leaves it until the CPU recomputes; the CPU asks for an event check exactly
 * when its clock reaches the earliest due time (or an interrupt asked for one).
 */
class EventQueueTest {

    @Test
    void postingBringsTheEarliestForwardAndCancellingTakesEffectAtTheNextRecompute() {
        EventQueue q = new EventQueue(EventQueue.DEVICE_BASE + 1);
        assertEquals(EventQueue.NONE, q.earliest());
        q.post(EventQueue.TIMER, 1_000_000);
        q.post(EventQueue.TIMEOUTS, 10_000);
        q.post(EventQueue.SLICE, 100_000);
        assertEquals(10_000, q.earliest());
        q.post(EventQueue.DEVICE_BASE, 50_000);
        assertEquals(10_000, q.earliest(), "a later event leaves the earliest alone");
        q.cancel(EventQueue.TIMEOUTS);
        assertEquals(EventQueue.NONE, q.due(EventQueue.TIMEOUTS));
        assertEquals(10_000, q.earliest(), "an early look is allowed to find nothing");
        assertEquals(50_000, q.recompute());
        q.post(EventQueue.SLICE, 20_000);                         // re-posting a source moves it either way
        assertEquals(20_000, q.recompute());
        q.post(EventQueue.SLICE, 200_000);
        assertEquals(50_000, q.recompute());
        for (int s = 0; s <= EventQueue.DEVICE_BASE; s++) q.cancel(s);
        assertEquals(EventQueue.NONE, q.recompute());
        assertThrows(IllegalArgumentException.class, () -> new EventQueue(EventQueue.DEVICE_BASE - 1));
    }

    @Test
    void theCpuAsksForAnEventCheckExactlyWhenItsClockReachesTheEarliestEvent() {
        Machine m = new Machine(Machine.Config.defaults().withMemory(4L << 20));
        Cpu cpu = m.cpu(0);
        assertEquals(m.timer().nextNs(), cpu.nextEventNs(), "the timer's first tick is posted at power-on");
        cpu.post(EventQueue.TIMEOUTS, 10_000);
        assertFalse(cpu.charge(9_999));
        assertTrue(cpu.charge(1), "due at 10 000 ns, reached at 10 000 ns");
        cpu.events().cancel(EventQueue.TIMEOUTS);
        assertEquals(m.timer().nextNs(), cpu.rearm(), "after the check: the next event is the tick again");
        assertFalse(cpu.charge(1));
        cpu.post(EventQueue.SLICE, 10_500);
        assertFalse(cpu.charge(498));
        assertTrue(cpu.charge(1));
        cpu.events().cancel(EventQueue.SLICE);
        cpu.rearm();
        cpu.requestCheck();                                         // an interrupt line was raised
        assertTrue(cpu.charge(0));
        cpu.rearm();
        assertFalse(cpu.charge(0));
    }
}
