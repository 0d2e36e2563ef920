package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.ErrorCode;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.system.Harness;
import ristretto.machine.ScriptedDevice;
import ristretto.user.L4;
import ristretto.user.Threads;
import ristretto.user.Entry;
import ristretto.kernel.load.InstrumentingLoader;
import compute.Programs;

/**
 * Interrupts as IPC (§13.3, seed 003 "Interrupt IPC"): association by ThreadControl and its
 * errors, one message per interrupt from the interrupt thread, the line masked until the
 * handler's acknowledgement, an interrupt during the mask delivered after it, a burst with a slow
 * handler, and preemption of the running thread — also one computing without kernel entries —
 * by a higher-priority handler. Devices are {@link ScriptedDevice}s raising at scripted virtual times.
 */
class InterruptTest {
    static final int LINE = 5;
    static final long IRQ = L4.interruptThread(LINE);

    static Harness run(Scenario s, ScriptedDevice... devices) { return run(s, Harness.testOptions(), Harness.TIME_LIMIT_NS, devices); }

    static Harness run(Scenario s, Kernel.Options options, long timeLimitNs, ScriptedDevice... devices) {
        Harness h = Harness.boot(Scenario.MACHINE, options, s, timeLimitNs);
        for (ScriptedDevice d : devices) h.kernel().machine().attach(d);
        h.runToHalt();
        assertEquals(List.of(), h.kernel().invariantViolations());
        return h;
    }

    static long us(long micros) { return micros * 1000; }

    @Test
    void associationRulesAndErrors() {
        Scenario s = new Scenario();
        List<String> log = s.log;
        s.entry("unprivileged", l4 -> {
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            log.add("unprivileged: " + ErrorCode.name(l4.errorCode()));
        });
        s.entry("idle", l4 -> l4.sleepMicros(5000));
        s.main(l4 -> {
            long me = l4.myGlobalId();
            log.add("prio before: " + (l4.schedule(IRQ, Schedule.UNCHANGED, Schedule.UNCHANGED, 200, Schedule.UNCHANGED) != 0));
            log.add("timer line: " + l4.associateInterrupt(L4.interruptThread(0), me) + " " + ErrorCode.name(l4.errorCode()));
            log.add("beyond the lines: " + l4.associateInterrupt(L4.interruptThread(40), me));
            log.add("version 2: " + l4.associateInterrupt(ThreadId.global(LINE, 2), me));
            log.add("no handler: " + l4.associateInterrupt(IRQ, ThreadId.global(4000, 1)) + " " + ErrorCode.name(l4.errorCode()));
            log.add("associate: " + l4.associateInterrupt(IRQ, me));
            log.add("prio after: " + (l4.schedule(IRQ, Schedule.UNCHANGED, Schedule.UNCHANGED, 200, Schedule.UNCHANGED) != 0));
            Threads threads = new Threads(l4);
            long other = threads.inMySpace(s.ip("idle"), 0);
            log.add("second handler: " + l4.associateInterrupt(IRQ, other) + " " + ErrorCode.name(l4.errorCode()));
            log.add("same handler again: " + l4.associateInterrupt(IRQ, me));
            log.add("dissociate: " + l4.deassociateInterrupt(IRQ));
            log.add("now another: " + l4.associateInterrupt(IRQ, other));
            threads.inNewSpace(s.ip("unprivileged"), 0);
            l4.sleepMicros(1000);
        });
        run(s);
        assertEquals(List.of("prio before: false", "timer line: false invalid thread", "beyond the lines: false", "version 2: false",
                "no handler: false invalid thread", "associate: true", "prio after: true", "second handler: false invalid thread",
                "same handler again: true", "dissociate: true", "now another: true", "unprivileged: no privilege"), log);
    }

    @Test
    void oneMessagePerInterruptFromTheInterruptThread() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            long tag = l4.waitAny();
            for (int i = 0; i < 3; i++) {
                s.log.add((L4.isInterrupt(tag) ? "interrupt" : "other") + " from " + (l4.from() == IRQ ? "irq5" : ThreadId.toString(l4.from()))
                        + " at " + l4.systemClock());
                tag = i < 2 ? l4.acknowledgeAndWait(IRQ) : 0;
            }
            l4.send(IRQ);                                       // the last acknowledgement
            s.log.add("then nothing: " + L4.failed(l4.waitAny(ristretto.abi.Timeout.period(100_000))));
        });
        ScriptedDevice d = new ScriptedDevice(LINE, us(1000), us(2000), us(3000));
        run(s, d);
        assertEquals(3, s.log.size() - 1);
        for (int i = 0; i < 3; i++) assertTrue(s.log.get(i).startsWith("interrupt from irq5 at " + (i + 1) * 1000), s.log.toString());
        assertEquals("then nothing: true", s.log.get(3));
        assertEquals(3, d.raised());
    }

    @Test
    void theLineStaysMaskedUntilTheReplyAndAnInterruptMeanwhileIsDeliveredAfterIt() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            long tag = l4.waitAny();
            s.log.add("first at " + l4.systemClock());
            l4.sleepMicros(1000);                               // slow: two more raises meanwhile, merged into one pending
            s.log.add("nothing during the mask: " + L4.failed(l4.receive(IRQ, ristretto.abi.Timeout.ZERO)));
            tag = l4.acknowledgeAndWait(IRQ);
            s.log.add((L4.isInterrupt(tag) ? "pending one" : "other") + " at once: " + (l4.systemClock() < 1200 + 50));
            l4.send(IRQ);
            s.log.add("no more: " + L4.failed(l4.waitAny(ristretto.abi.Timeout.period(10_000))));
        });
        ScriptedDevice d = new ScriptedDevice(LINE, us(100), us(300), us(400));
        run(s, d);
        assertEquals(List.of("first at 100", "nothing during the mask: true", "pending one at once: true", "no more: true"),
                s.log.stream().map(x -> x.startsWith("first at 10") ? "first at 100" : x).toList());
        assertEquals(2, d.raised());
        assertEquals(1, d.merged(), "the controller's one pending bit: the third raise found the second pending");
    }

    @Test
    void aBurstOfAHundredThousandWithASlowHandlerLosesNothing() {
        int n = 100_000;
        long[] times = new long[n];
        for (int i = 0; i < n; i++) times[i] = us(1000) + i * 700L;      // one every 0.7 µs
        ScriptedDevice d = new ScriptedDevice(LINE, times);
        long[] delivered = {0};
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            long tag = l4.waitAny();
            while (L4.isInterrupt(tag)) {
                delivered[0]++;
                if (delivered[0] % 3 == 0) l4.sleepMicros(2);   // a slow handler now and then: raises meet a pending line
                tag = l4.acknowledgeAndWait(IRQ);
                if (L4.failed(tag)) break;
            }
        });
        // The handler waits forever after the last one: the machine halts with nothing to wake.
        Harness h = run(s, Harness.testOptions().withTracing(false).withCheckedMode(false), Harness.TIME_LIMIT_NS, d);
        assertEquals(0, d.remaining());
        assertEquals(n, d.raised() + d.merged(), "every raise set the pending bit or found it set");
        assertEquals(d.raised(), delivered[0], "every raise that set the pending bit was delivered, once");
        assertTrue(d.merged() > 0, "the handler is slower than the burst");
        assertFalse(h.kernel().machine().interruptController().isPending(LINE), "nothing left pending");
    }

    @Test
    void aHigherPriorityHandlerPreemptsAComputingThreadAtOnce() {
        Scenario s = new Scenario();
        long[] at = new long[2];
        long[] progress = new long[1];
        s.entry("spinner", InstrumentingLoader.instrumented(Programs.class).instance(Programs.Spinner.class, Entry.class, (Object) progress));
        s.entry("handler", l4 -> {
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            l4.waitAny();
            at[0] = l4.systemClock();
            at[1] = progress[0];
            l4.send(IRQ);
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            long h = threads.inMySpace(s.ip("handler"), 0);
            l4.schedule(h, Schedule.UNCHANGED, Schedule.UNCHANGED, 200, Schedule.UNCHANGED);
            long sp = threads.inMySpace(s.ip("spinner"), 0);
            l4.schedule(sp, Schedule.UNCHANGED, Schedule.UNCHANGED, 50, Schedule.UNCHANGED);
        });
        ScriptedDevice d = new ScriptedDevice(LINE, us(5000));
        Harness h = run(s, Harness.testOptions(), us(8000), d);
        assertTrue(h.haltReason.startsWith("time limit"), h.haltReason);
        assertTrue(at[1] > 1000, "the spinner computed before the interrupt: " + at[1]);
        assertTrue(at[0] >= 5000 && at[0] < 5000 + 5, "the handler ran within 5 µs of the interrupt, at " + at[0]);
        assertTrue(progress[0] > at[1] + 1000, "and the spinner computed on after it");
    }
}
