package ristretto.kernel.sched;

import ristretto.kernel.meter.MeterGate;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * The meter's bookkeeping on its own, with no CPU attached: code outside any CPU just gets a new
 * budget at a check; a settlement answers what ran since the last one and takes the caller's
 * own cost from the budget; an expiry keeps what ran and forces the next yieldpoint to check.
 */
class MeterTest {

    @Test
    void aCheckOutsideAnyCpuGrantsAnUnmeteredBudget() {
        assertNull(Meter.attached());
        MeterGate.budget = -3;
        Meter.check();
        assertEquals(Meter.UNMETERED_GRANT, MeterGate.budget);
    }

    @Test
    void aSettlementAnswersWhatRanAndTakesItsOwnCostFromTheBudget() {
        Meter.check();                                      // granted = budget = UNMETERED_GRANT
        MeterGate.budget -= 1234;                               // yieldpoints ran
        assertEquals(1234, Meter.settle(100));
        assertEquals(Meter.UNMETERED_GRANT - 1334, MeterGate.budget, "the entry's cost is off the budget too");
        assertEquals(0, Meter.settle(0), "nothing ran since");
        MeterGate.budget -= 7;
        assertEquals(7, Meter.settle(0));
    }

    @Test
    void aSettlementNeverDrivesTheBudgetPastItsFloor() {
        Meter.check();
        for (int i = 0; i < 5; i++) Meter.settle(Integer.MAX_VALUE / 2);
        assertTrue(MeterGate.budget < 0 && MeterGate.budget >= -(1 << 30), "budget " + MeterGate.budget);
        Meter.check();
        assertEquals(Meter.UNMETERED_GRANT, MeterGate.budget);
    }

    @Test
    void anExpiryFromAThreadThatRunsNoCpuChangesNothing() {
        Meter.check();
        MeterGate.budget -= 10;
        Meter.expire();                                     // no carrier attached: not this thread's CPU
        assertEquals(Meter.UNMETERED_GRANT - 10, MeterGate.budget);
        assertEquals(10, Meter.settle(0));
    }
}
