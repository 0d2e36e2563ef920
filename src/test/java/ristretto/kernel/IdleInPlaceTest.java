package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.Schedule;
import ristretto.machine.ScriptedDevice;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.Threads;

/**
 * A CPU with nothing to run idles on the stack of the thread that just blocked, and that thread
 * runs on without a switch through the dispatcher when the idle wakes it
 * ({@code Processor.idleInPlace}): an optimisation that must change nothing but the host's work.
 * The same program run to its halt in one run (idles in place) and stepped one idle at a time by
 * the host (every idle the dispatcher's) gives the same trace, the same switches, the same clock
 * and the same results — with interrupts waking their handler, timeouts waking sleepers, idles
 * that wake another thread than the one that blocked, and the final halt found while idling in place.
 */
class IdleInPlaceTest {
    static final int LINE = 5;
    static final long IRQ = L4.interruptThread(LINE);

    private record Outcome(List<String> trace, long clockNs, long switches, long inPlace, List<String> log, String halt, int raised) {}

    /**
     * A handler of eight scripted interrupts at priority 200, a sleeper at 120 that sleeps and then
     * calls the root, and the root serving it: the CPU idles between all of them.
     */
    private static Outcome run(boolean stepped) { return run(stepped, Harness.testOptions()); }

    private static Outcome run(boolean stepped, Kernel.Options options) {
        Scenario s = new Scenario();
        s.entry("handler", l4 -> {
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            long tag = l4.waitAny();
            for (int i = 0; i < 8 && L4.isInterrupt(tag); i++) {
                s.log.add("irq " + i + " at " + l4.systemClock());
                tag = i < 7 ? l4.acknowledgeAndWait(IRQ) : 0;
            }
            l4.send(IRQ);
        });
        s.entry("sleeper", l4 -> {
            for (int i = 0; i < 5; i++) {
                l4.sleepMicros(130 + 70L * i);
                l4.loadMsg(0, i);
                l4.call(l4.pager());
                s.log.add("reply " + l4.mr(1) + " at " + l4.systemClock());
            }
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            long h = threads.inMySpace(s.ip("handler"), 0);
            l4.schedule(h, Schedule.UNCHANGED, Schedule.UNCHANGED, 200, Schedule.UNCHANGED);
            long sl = threads.inMySpace(s.ip("sleeper"), 0);
            l4.schedule(sl, Schedule.UNCHANGED, Schedule.UNCHANGED, 120, Schedule.UNCHANGED);
            l4.waitAny();
            for (int served = 1; ; served++) {
                l4.loadMsg(0, 10 * l4.mr(1));
                if (served == 5) { l4.reply(l4.from()); break; }
                l4.replyWait(l4.from());
            }
        });
        ScriptedDevice d = new ScriptedDevice(LINE, us(100), us(250), us(260), us(270), us(400), us(700), us(710), us(1100));
        Harness h = Harness.boot(MACHINE, options, s, Harness.TIME_LIMIT_NS);
        h.kernel().machine().attach(d);
        if (stepped) h.stepToHalt();
        else h.runToHalt();
        checked(h);
        return new Outcome(h.traceLines(), h.kernel().machine().clock().nowNs(), h.kernel().switches(),
                h.kernel().processors[0].idlesInPlace, List.copyOf(s.log), h.haltReason, (int) d.raised());
    }

    static long us(long micros) { return micros * 1000; }

    @Test
    void runningAndSteppingGiveTheSameTraceSwitchesClockAndResults() {
        Outcome run = run(false), stepped = run(true);
        assertEquals("no runnable thread and nothing left to wake", run.halt());
        assertEquals(13, run.log().size(), "eight interrupts handled, five replies: " + run.log());
        assertEquals(8, run.raised());
        assertTrue(run.inPlace() >= 3, "the handler, woken by an interrupt that followed its last, ran on from its idle: " + run.inPlace());
        assertTrue(run.trace().size() > 100, "idles woke the handler and the sleeper, alternately too");
        assertEquals(0, stepped.inPlace(), "a stepped machine idles in the dispatcher only");
        assertTrue(run.trace().stream().anyMatch(l -> l.contains("timeout")), "sleeps timed out");
        assertEquals(stepped.log(), run.log());
        assertEquals(stepped.trace(), run.trace());
        assertEquals(stepped.switches(), run.switches());
        assertEquals(stepped.clockNs(), run.clockNs());
        assertEquals(stepped.halt(), run.halt());
    }

    /** As users run it (tracing off, unchecked): no trace to compare, but the same switches, clock and results. */
    @Test
    void theShippedConfigurationIdlesInPlaceToTheSameResults() {
        Kernel.Options shipped = Kernel.Options.defaults();
        Outcome run = run(false, shipped), stepped = run(true, shipped), traced = run(false);
        assertTrue(run.inPlace() >= 3, "idles in place: " + run.inPlace());
        assertEquals(0, stepped.inPlace());
        assertEquals(traced.log(), run.log());
        assertEquals(stepped.log(), run.log());
        assertEquals(stepped.switches(), run.switches());
        assertEquals(traced.switches(), run.switches());
        assertEquals(stepped.clockNs(), run.clockNs());
        assertEquals(traced.clockNs(), run.clockNs());
        assertEquals(traced.inPlace(), run.inPlace());
    }

    @Test
    void theSameRunTwiceIsTheSame() {
        assertEquals(run(false), run(false));
    }
}
