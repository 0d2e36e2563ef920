package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.system.Harness;
import ristretto.user.L4;

/**
 * A hostile, unprivileged thread recurses to the edge of its stack and makes every kind of system
 * call (and memory access) there, at every depth on the way back up, catching whatever is thrown,
 * in a loop. Kernel operations are atomic with respect to that: the kernel's invariants hold, no
 * kernel bug is reported, and its partners — a server in another space it calls, a thread it
 * sends to — keep working.
 */
class StackOverflowAttackTest {
    /** The system calls the attacker makes at the edge of its stack. */
    enum Kind { CALL, SEND_TIMEOUT, RECEIVE_TIMEOUT, YIELD, EXREGS, SCHEDULE, CLOCK, KIP_LOAD, KERNEL_INTERFACE }

    static final int ROUNDS = 1;

    @Test
    void aThreadOverflowingItsStackInEverySystemCallBreaksNothing() {
        // Unchecked: checked mode dumps the carrier's stack at every kernel entry, which at the
        // attacker's depth costs milliseconds each. Traced and untraced, as users run it.
        attack(Harness.testOptions().withCheckedMode(false));
        attack(Harness.testOptions().withCheckedMode(false).withTracing(false));
    }

    private static void attack(Kernel.Options options) {
        List<String> log = new ArrayList<>();
        long[] counts = new long[3];                   // calls made, Throwables caught, deepest depth
        Scenario s = new Scenario();
        s.entry("server", incrementServer());
        s.entry("sink", l4 -> l4.sleep(Timeout.NEVER));
        s.entry("attacker", l4 -> {
            long me = ThreadId.number(l4.myGlobalId());
            long server = ThreadId.global(me - 2, 1), sink = ThreadId.global(me - 1, 1);
            for (Kind k : Kind.values())
                for (int r = 0; r < ROUNDS; r++) dive(l4, k, server, sink, 0, counts);
            log.add("attacker done");
        });
        s.main(l4 -> {
            long server = id(l4, 1), sink = id(l4, 2), attacker = id(l4, 3);
            startInNewSpace(l4, server, s.ip("server"));
            createAndStartInSpaceOf(l4, sink, server, 1, s.ip("sink"));
            startInNewSpace(l4, attacker, s.ip("attacker"));
            l4.sleepMicros(1_000_000_000L);              // the attack runs meanwhile
            l4.setMr(0, 1);
            l4.setMr(1, 41);
            long tag = l4.call(server);
            log.add("server answers " + (ristretto.user.L4.failed(tag) ? "error " + l4.errorCode() : l4.mr(1)));
            log.add("attacker " + Schedule.resultName(l4.threadState(attacker)));
        });
        Harness h = s.run(options);
        assertEquals(List.of("attacker done", "server answers 42", "attacker inactive"), log, String.join("\n", h.console));
        assertTrue(counts[0] > 1000, "the attacker made " + counts[0] + " calls");
        assertTrue(counts[1] > 0, "some calls met the edge of the stack");
        // Timed receives with nothing else to run idle on the attacker's stack, at every depth.
        assertTrue(h.kernel().processors[0].idlesInPlace > 100, "idles in place: " + h.kernel().processors[0].idlesInPlace);
        assertEquals(List.of(), h.kernel().invariantViolations());
        for (String line : h.console) assertFalse(line.contains("KERNEL BUG"), line);
    }

    /** Recurses until the stack overflows, then makes a call of kind {@code k} at every depth on the way up. */
    private static int dive(L4 l4, Kind k, long server, long sink, int depth, long[] counts) {
        try {
            dive(l4, k, server, sink, depth + 1, counts);
        } catch (StackOverflowError e) {
            counts[2] = Math.max(counts[2], depth);
        }
        try {
            counts[0]++;
            call(l4, k, server, sink);
        } catch (Throwable t) {
            counts[1]++;
        }
        return depth;
    }

    private static void call(L4 l4, Kind k, long server, long sink) {
        switch (k) {
            case CALL -> { l4.setMr(0, 1); l4.setMr(1, 0); l4.call(server); }
            case SEND_TIMEOUT -> { l4.setMr(0, 0); l4.send(sink, Timeout.period(3)); }
            case RECEIVE_TIMEOUT -> l4.receive(l4.myGlobalId(), Timeout.period(2));
            case YIELD -> l4.yieldCpu();
            case EXREGS -> l4.localIdOf(l4.myGlobalId());
            case SCHEDULE -> l4.threadState(l4.myGlobalId());
            case CLOCK -> l4.systemClock();
            case KIP_LOAD -> l4.load(l4.kernelInterface());
            case KERNEL_INTERFACE -> l4.kernelInterface();
        }
    }

    /** Creates {@code t} in the space of {@code spaceOf} at UTCB slot {@code slot} and starts it. */
    private static void createAndStartInSpaceOf(L4 l4, long t, long spaceOf, int slot, long ip) {
        long me = l4.myGlobalId();
        if (!l4.threadControl(t, spaceOf, me, me, NEW_UTCB_BASE + (long) ristretto.abi.Utcb.SIZE * slot))
            throw new IllegalStateException("ThreadControl: " + l4.errorCode());
        l4.startThread(t, ip, 0);
    }
}
