package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.Timeout;
import ristretto.machine.Machine;
import ristretto.system.Harness;

/**
 * Two ways to charge a user memory access to the virtual clock: on the default machine an access
 * costs one bytecode's worth and only takes it from the meter's budget (the clock catches up at
 * the next settlement); on a machine whose instructions cost nothing the access is charged to the
 * clock at once. Trusted test code runs no metered bytecodes, so both machines must run the same
 * program to the same trace and the same clock: timeslices of computing threads, timeouts taken
 * in the middle of their memory loops, and preemptions, to the nanosecond.
 */
class AccessChargeTest {

    private record Outcome(List<String> trace, long clockNs, List<Long> clocks, boolean inBudget) {}

    private static Outcome run(Machine.Config machine) { return run(machine, Harness.testOptions()); }

    private static Outcome run(Machine.Config machine, Kernel.Options options) {
        List<Long> clocks = new ArrayList<>();
        Scenario s = new Scenario();
        s.entry("spinner", l4 -> spin(l4, MEM + 8 * l4.startSp() / 0x1000, 200_000));
        s.entry("sleeper", l4 -> {
            for (int r = 0; r < 6; r++) {
                spin(l4, MEM + 256, 1000 + 333 * r);
                l4.receive(l4.myGlobalId(), Timeout.period(7 + r));
                clocks.add(l4.systemClock());
            }
        });
        s.main(l4 -> {
            long a = id(l4, 1), b = id(l4, 2), c = id(l4, 3);
            createHere(l4, a, 1);
            createHere(l4, b, 2);
            createHere(l4, c, 3);
            l4.setTimeslice(a, Timeout.period(50), Timeout.NEVER);
            l4.setTimeslice(b, Timeout.period(70), Timeout.NEVER);
            l4.setPriority(c, 150);
            l4.startThread(a, s.ip("spinner"), 0x1000);
            l4.startThread(b, s.ip("spinner"), 0x2000);
            l4.startThread(c, s.ip("sleeper"), 0x3000);
        });
        Harness h = checked(Harness.boot(machine, options, s, Harness.TIME_LIMIT_NS).runToHalt());
        return new Outcome(h.traceLines(), h.kernel().machine().clock().nowNs(), clocks, h.kernel().accessInBudget);
    }

    @Test
    void anAccessChargedThroughTheBudgetAndOneChargedAtOnceGiveTheSameRun() {
        Outcome budget = run(MACHINE), atOnce = run(MACHINE.withInstructionNs(0));
        assertTrue(budget.inBudget());
        assertFalse(atOnce.inBudget());
        assertEquals(6, budget.clocks().size(), "the sleeper woke six times");
        assertTrue(budget.trace().stream().filter(l -> l.contains("slice-end")).count() >= 4, "timeslices ended while the spinners computed");
        assertTrue(budget.trace().stream().filter(l -> l.contains("timeout")).count() >= 6, "timeouts fired while the spinners computed");
        assertEquals(atOnce.clocks(), budget.clocks());
        assertEquals(atOnce.trace(), budget.trace());
        assertEquals(atOnce.clockNs(), budget.clockNs());
    }

    /** As users run it (tracing off, unchecked): the same clocks as charging each access at once, and as the traced run. */
    @Test
    void theShippedConfigurationChargesTheSame() {
        Kernel.Options shipped = Kernel.Options.defaults();
        Outcome budget = run(MACHINE, shipped), atOnce = run(MACHINE.withInstructionNs(0), shipped), traced = run(MACHINE);
        assertTrue(budget.inBudget());
        assertEquals(6, budget.clocks().size());
        assertEquals(atOnce.clocks(), budget.clocks());
        assertEquals(atOnce.clockNs(), budget.clockNs());
        assertEquals(traced.clocks(), budget.clocks());
        assertEquals(traced.clockNs(), budget.clockNs());
    }
}
