package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import compute.Programs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.Schedule;
import ristretto.abi.Timeout;
import ristretto.kernel.load.InstrumentingLoader;
import ristretto.system.Harness;
import ristretto.user.Entry;

/**
 * {@link StackOverflowAttackTest} for yieldpoints: two threads of one priority recurse to the edge
 * of their stacks and compute at every depth on the way back up, catching whatever is thrown,
 * while timeslices make preemptions come due at every depth — the method-entry yieldpoints of
 * the recursion at the very edge included, where even the yield to the dispatcher can fail. One
 * is preempted so often that its frames live in the heap (a continuation is mounted lazily),
 * where only the kernel's limit ends its recursion. Kernel state stays whole: the invariants
 * hold, no kernel bug is reported, both attackers finish, and a server in another space still
 * answers.
 */
class ComputeStackEdgeTest {

    @Test
    void computeLoopsAtTheEdgeOfTheStackArePreemptedAndBreakNothing() {
        attack(Harness.testOptions().withCheckedMode(false));
        attack(Harness.testOptions().withCheckedMode(false).withTracing(false));
    }

    private static void attack(Kernel.Options options) {
        long[][] counts = new long[2][4];           // per attacker: computations, throwables caught, deepest depth, rounds done
        InstrumentingLoader loader = InstrumentingLoader.instrumented(Programs.class);
        List<String> log = new ArrayList<>();
        Scenario s = new Scenario();
        s.entry("server", incrementServer());
        s.entry("attacker0", loader.instance(Programs.EdgeComputer.class, Entry.class, counts[0], 2, 50));
        s.entry("attacker1", loader.instance(Programs.EdgeComputer.class, Entry.class, counts[1], 2, 50));
        s.main(l4 -> {
            long server = id(l4, 1), a = id(l4, 2), b = id(l4, 3);
            startInNewSpace(l4, server, s.ip("server"));
            createHere(l4, a, 2);
            createHere(l4, b, 3);
            // A is preempted every 7 µs, so its recursion piles up in the heap; B's 2 ms slices let it
            // reach the end of the carrier's stack, and it is preempted there.
            l4.schedule(a, Schedule.timeControl(Timeout.period(7), Timeout.NEVER), -1, 90, -1);
            l4.schedule(b, Schedule.timeControl(Timeout.period(2000), Timeout.NEVER), -1, 90, -1);
            l4.startThread(a, s.ip("attacker0"), 0);
            l4.startThread(b, s.ip("attacker1"), 0);
            l4.sleepMicros(1_000_000_000L);          // the attack runs meanwhile
            l4.setMr(0, 1);
            l4.setMr(1, 41);
            long tag = l4.call(server);
            log.add("server answers " + (ristretto.user.L4.failed(tag) ? "error " + l4.errorCode() : l4.mr(1)));
            log.add("attackers " + Schedule.resultName(l4.threadState(a)) + ", " + Schedule.resultName(l4.threadState(b)));
        });
        Harness h = s.run(options);
        assertEquals(List.of("server answers 42", "attackers inactive, inactive"), log, String.join("\n", h.console));
        for (long[] c : counts) {
            assertEquals(2, c[3], "both rounds finished");
            assertTrue(c[2] > 1000, "recursed to depth " + c[2]);
            assertTrue(c[0] > c[2], "computed at every depth: " + c[0]);
        }
        // A's frames piled up in the heap until the kernel's limit stopped it, far below the
        // carrier's stack, which stopped B.
        assertTrue(counts[0][2] > 4 * counts[1][2], "depths " + counts[0][2] + " (A) and " + counts[1][2] + " (B)");
        assertEquals(List.of(), h.kernel().invariantViolations());
        for (String line : h.console) assertFalse(line.contains("KERNEL BUG"), line);
        if (options.tracing())
            assertTrue(h.kernel().trace().events().stream().filter(e -> e.kind().equals("preempt")).count() > 100, "preempted often");
    }
}
