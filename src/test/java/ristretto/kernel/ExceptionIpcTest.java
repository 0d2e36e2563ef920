package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.MEM;

import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.ExRegs;
import ristretto.abi.ExceptionMessage;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.UserCpu;
import ristretto.system.Harness;
import ristretto.user.Entry;
import ristretto.user.L4;
import ristretto.user.Misbehaving;
import ristretto.user.Threads;

/**
 * Exception IPC (§13.2, {@link ExceptionMessage}): a Java exception escaping user code, an
 * explicit trap and a misaligned access make the thread Call its exception handler; the reply
 * resumes it (after the trap, or afresh at a new IP and SP) or leaves it stopped; with no handler,
 * or one that does not exist, it stops with a report. The root task is the handler here, the
 * faulting thread in its space.
 */
class ExceptionIpcTest {
    static final long SP = 0x5000;

    /** The root task's record of an exception message: who sent it and its words. */
    private static String received(L4 l4, long tag, long from, long victim, long victimIp) {
        return "label " + (MsgTag.label(tag) == MsgTag.LABEL_ARCH_EXCEPTION ? "-5" : Long.toHexString(MsgTag.label(tag)))
                + " u " + MsgTag.u(tag) + (from == l4.localIdOf(victim) ? " from victim" : " from " + ThreadId.toString(from))
                + (l4.mr(1) == victimIp ? " at its entry" : " ip 0x" + Long.toHexString(l4.mr(1)))
                + " sp 0x" + Long.toHexString(l4.mr(2)) + " " + ExceptionMessage.kindName(ExceptionMessage.kind(l4.mr(3)))
                + " detail 0x" + Long.toHexString(l4.mr(4))
                + (ExceptionMessage.kind(l4.mr(3)) == ExceptionMessage.MISALIGNED
                        ? " access " + ExceptionMessage.access(l4.mr(3)) + " size " + ExceptionMessage.size(l4.mr(3)) : "");
    }

    /**
     * Runs {@code victim} on a thread of the root task's space whose exception handler is its
     * pager, the root task. The root task receives one exception message, logs it ({@link
     * #received}), and replies label {@code label} with MR1 the IP of the entry {@code resumeAt}
     * (null: the IP the message carried) and MR2 {@code sp}. The entry "second" logs its start
     * and SP. The victim's ID is left in {@code id[0]}.
     */
    private static Harness handled(Scenario s, long[] id, Entry victim, long label, String resumeAt, long sp) {
        return handled(s, id, victim, label, resumeAt, sp, Harness.testOptions());
    }

    private static Harness handled(Scenario s, long[] id, Entry victim, long label, String resumeAt, long sp, Kernel.Options options) {
        s.entry("victim", l4 -> {
            l4.setExceptionHandler(l4.pager());
            victim.run(l4);
        });
        s.entry("second", l4 -> s.log.add("second entry, sp 0x" + Long.toHexString(l4.startSp())));
        s.main(l4 -> {
            id[0] = new Threads(l4).inMySpace(s.ip("victim"), SP);
            long tag = l4.waitAny();
            s.log.add(received(l4, tag, l4.from(), id[0], s.ip("victim")));
            l4.loadMsg(label, resumeAt == null ? l4.mr(1) : s.ip(resumeAt), sp);
            l4.reply(l4.from());
        });
        return s.run(options);
    }

    /** l4test "IA32 exception IPC handling": the thread's pager is its exception handler, and it divides by zero. */
    @Test
    void aDivisionByZeroReachesTheHandler() {
        Scenario s = new Scenario();
        long[] id = new long[1];
        Harness h = handled(s, id, l4 -> s.log.add("quotient " + Misbehaving.divide(1, 0)), 0, "second", SP);
        assertEquals(List.of("label -5 u 5 from victim at its entry sp 0x5000 Java exception detail 0x0", "second entry, sp 0x5000"), s.log);
        assertEquals(1, h.kernel().trace().events().stream().filter(e -> e.kind().equals("exception") && e.a() == id[0]).count());
    }

    /** The same with each kernel mechanism the IPC path can take switched off in turn. */
    @Test
    void deliveryAndResumeHoldWithTheFastPathLazyQueuesOrDirectSwitchOff() {
        Kernel.Options o = Harness.testOptions();
        for (Kernel.Options options : List.of(o.withFastPath(false), o.withLazyScheduling(false), o.withDirectSwitch(false))) {
            Scenario s = new Scenario();
            handled(s, new long[1], l4 -> {
                l4.trap(9);
                s.log.add("after the trap");
            }, 0, null, SP, options);
            assertEquals(List.of("label -5 u 5 from victim at its entry sp 0x5000 trap detail 0x9", "after the trap"), s.log, options.toString());
        }
    }

    @Test
    void aResumingReplyStartsTheThreadAfreshAtTheNewIpAndSp() {
        Scenario s = new Scenario();
        long[] id = new long[1];
        Harness h = handled(s, id, l4 -> Misbehaving.fail("boom"), 0, "second", 0x7000);
        assertEquals(List.of("label -5 u 5 from victim at its entry sp 0x5000 Java exception detail 0x0", "second entry, sp 0x7000"), s.log);
        assertEquals("returned from its entry point", h.kernel().stopReason(id[0]));
    }

    @Test
    void aReplyThatDoesNotResumeLeavesTheThreadStopped() {
        Scenario s = new Scenario();
        long[] id = new long[1];
        Harness h = handled(s, id, l4 -> Misbehaving.fail("boom"), 1, "second", SP);     // label 1: not a resume
        String root = ThreadId.toString(h.kernel().rootTaskId());
        assertEquals(List.of("label -5 u 5 from victim at its entry sp 0x5000 Java exception detail 0x0"), s.log);
        assertEquals("halted", h.kernel().stateOf(id[0]));
        assertEquals("user code threw java.lang.IllegalStateException: boom, and its exception handler " + root
                + " did not resume it", h.kernel().stopReason(id[0]));
        assertTrue(String.join("\n", h.console).contains("(entry victim) stopped: user code threw"), String.join("\n", h.console));
    }

    /** A trap comes back to the next instruction with the thread's MRs as they were (the SaveArea). */
    @Test
    void aTrapResumesAfterItselfWithTheMrsKept() {
        Scenario s = new Scenario();
        long[] id = new long[1];
        Harness h = handled(s, id, l4 -> {
            for (int i = 0; i < 10; i++) l4.setMr(i, 100 + i);
            l4.trap(42);
            StringBuilder mrs = new StringBuilder("after the trap, MRs");
            for (int i = 0; i < 10; i++) mrs.append(' ').append(l4.mr(i));
            s.log.add(mrs.toString());
        }, 0, null, SP);                                                // the old IP: go on after the trap
        assertEquals(List.of("label -5 u 5 from victim at its entry sp 0x5000 trap detail 0x2a",
                "after the trap, MRs 100 101 102 103 104 105 106 107 108 109"), s.log);
        assertEquals("returned from its entry point", h.kernel().stopReason(id[0]));
    }

    @Test
    void aTrapReplyWithAnotherIpRestartsTheThreadThere() {
        Scenario s = new Scenario();
        handled(s, new long[1], l4 -> {
            l4.trap(7);
            s.log.add("must not get here");
        }, 0, "second", 0x9000);
        assertEquals(List.of("label -5 u 5 from victim at its entry sp 0x5000 trap detail 0x7", "second entry, sp 0x9000"), s.log);
    }

    /** A misaligned access cannot be retried: the message names it, and the reply restarts the thread. */
    @Test
    void aMisalignedAccessIsDeliveredWithItsAddressAccessAndSize() {
        Scenario s = new Scenario();
        handled(s, new long[1], l4 -> {
            l4.store(MEM + 0x10002, 1, 4);
            s.log.add("must not get here");
        }, 0, "second", SP);
        assertEquals(List.of("label -5 u 5 from victim at its entry sp 0x5000 misaligned access detail 0x"
                + Long.toHexString(MEM + 0x10002) + " access 2 size 4", "second entry, sp 0x5000"), s.log);
    }

    @Test
    void aStackOverflowIsDeliveredWithItsOwnKind() {
        Scenario s = new Scenario();
        handled(s, new long[1], l4 -> s.log.add("depth " + Misbehaving.recurse(0)), 0, "second", SP);
        assertEquals(List.of("label -5 u 5 from victim at its entry sp 0x5000 stack overflow detail 0x0", "second entry, sp 0x5000"), s.log);
    }

    @Test
    void withNoHandlerTheThreadStopsWithAReport() {
        Scenario s = new Scenario();
        long[] id = new long[3];
        s.entry("thrower", l4 -> Misbehaving.fail("boom"));
        s.entry("trapper", l4 -> l4.trap(3));
        s.entry("misaligned", l4 -> l4.load(MEM + 4));
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            id[0] = threads.inMySpace(s.ip("thrower"), SP);
            id[1] = threads.inMySpace(s.ip("trapper"), SP);
            id[2] = threads.inMySpace(s.ip("misaligned"), SP);
        });
        Harness h = s.run();
        String console = String.join("\n", h.console);
        for (long t : id) assertEquals("halted", h.kernel().stateOf(t));
        assertEquals("user code threw java.lang.IllegalStateException: boom", h.kernel().stopReason(id[0]));
        assertTrue(console.contains("thread " + ThreadId.toString(id[0])
                + " (entry thrower) stopped: java.lang.IllegalStateException: boom, and the thread has no exception handler"), console);
        assertEquals("trap 3, and the thread has no exception handler", h.kernel().stopReason(id[1]));
        assertTrue(console.contains("thread " + ThreadId.toString(id[1])
                + " (entry trapper) stopped: trap 3, and the thread has no exception handler"), console);
        assertEquals("misaligned read at 0x" + Long.toHexString(MEM + 4) + ", and the thread has no exception handler",
                h.kernel().stopReason(id[2]));
    }

    @Test
    void aHandlerThatDoesNotExistLeavesTheThreadStopped() {
        Scenario s = new Scenario();
        long[] id = new long[1];
        long nobody = ThreadId.global(500, 1);
        s.entry("trapper", l4 -> {
            l4.setExceptionHandler(nobody);
            l4.trap(1);
        });
        s.main(l4 -> id[0] = new Threads(l4).inMySpace(s.ip("trapper"), SP));
        Harness h = s.run();
        assertEquals("halted", h.kernel().stateOf(id[0]));
        assertEquals("trap 1, and its exception handler " + ThreadId.toString(nobody) + " does not exist", h.kernel().stopReason(id[0]));
    }

    /** Waits until {@code t} is halted. */
    private static void awaitHalted(L4 l4, long t) {
        while (true) {
            l4.exchangeRegisters(t, 0, 0, 0, 0, 0, ThreadId.NIL);
            if ((l4.reg(UserCpu.R_CONTROL) & ExRegs.WAS_HALTED) != 0) return;
            l4.sleepMicros(100);
        }
    }

    /** A thread left stopped by its handler after an exception starts again at its IP when ExchangeRegisters resumes it. */
    @Test
    void aThreadStoppedAfterAnExceptionStartsAgainWhenResumed() {
        Scenario s = new Scenario();
        long[] id = new long[1];
        s.entry("victim", l4 -> {
            s.log.add("started");
            if (s.log.size() > 1) return;
            l4.setExceptionHandler(l4.pager());
            Misbehaving.fail("boom");
        });
        s.main(l4 -> {
            id[0] = new Threads(l4).inMySpace(s.ip("victim"), SP);
            l4.waitAny();
            l4.loadMsg(0);                                        // u = 0: not a resume
            l4.reply(l4.from());
            awaitHalted(l4, id[0]);
            s.log.add("stopped");
            l4.exchangeRegisters(id[0], ExRegs.HALT_VALID, 0, 0, 0, 0, ThreadId.NIL);
        });
        Harness h = s.run();
        assertEquals(List.of("started", "stopped", "started"), s.log);
        assertEquals("returned from its entry point", h.kernel().stopReason(id[0]));
    }

    /** ExchangeRegisters resumes a thread stopped in a trap: it goes on after the trap, as it would after a resuming reply. */
    @Test
    void aThreadStoppedInATrapGoesOnAfterItWhenResumed() {
        Scenario s = new Scenario();
        long[] id = new long[1];
        s.entry("trapper", l4 -> {
            l4.trap(5);
            s.log.add("after the trap");
        });
        s.main(l4 -> {
            id[0] = new Threads(l4).inMySpace(s.ip("trapper"), SP);
            awaitHalted(l4, id[0]);
            s.log.add("stopped in its trap");
            l4.exchangeRegisters(id[0], ExRegs.HALT_VALID, 0, 0, 0, 0, ThreadId.NIL);
        });
        Harness h = s.run();
        assertEquals(List.of("stopped in its trap", "after the trap"), s.log);
        assertEquals("returned from its entry point", h.kernel().stopReason(id[0]));
    }
}
