package ristretto.user;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import ristretto.abi.ExRegs;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.machine.Machine;
import ristretto.system.Harness;
import ristretto.system.Ristretto;

/**
 * The user library inside a booted system: register indexes are checked, IP comes before SP,
 * ExchangeRegisters and Schedule results decode, and the root task sees its arguments.
 */
class UserLibraryTest {

    /** A root program with entries; its main body records what it sees. */
    private abstract static class Root implements Program {
        final List<String> log = new ArrayList<>();
        long waiter, second;

        @Override public void link(Linker linker) {
            waiter = linker.entry("waiter", l4 -> l4.waitAny());
            second = linker.entry("second", l4 -> log.add("second: ip ok " + (l4.startIp() == second) + ", sp " + l4.startSp()
                    + ", args " + l4.args()));
        }
    }

    private static void expectOutOfBounds(List<String> log, String what, IntConsumer access, int... bad) {
        for (int i : bad) {
            try {
                access.accept(i);
                log.add(what + "(" + i + ") allowed");
            } catch (IndexOutOfBoundsException e) {
                log.add(what + "(" + i + ") refused");
            }
        }
    }

    @Test
    void registerIndexesOutsideTheirRangeAreRefused() {
        Root root = new Root() {
            @Override public void main(L4 l4) {
                l4.setMr(63, 7);
                l4.setBr(32, 8);
                l4.kernelInterface();
                log.add("in range: " + l4.mr(63) + " " + l4.br(32) + " " + (l4.reg(5) >= 0));
                expectOutOfBounds(log, "mr", l4::mr, -1, 64);
                expectOutOfBounds(log, "setMr", i -> l4.setMr(i, 1), -1, 64);
                expectOutOfBounds(log, "br", l4::br, -1, 33);
                expectOutOfBounds(log, "setBr", i -> l4.setBr(i, 1), -1, 33);
                expectOutOfBounds(log, "reg", l4::reg, -1, 6);
                log.add("MyGlobalId untouched: " + (l4.myGlobalId() == ThreadId.global(66, 1)));
            }
        };
        Harness h = Harness.run(root);
        assertEquals(List.of("in range: 7 8 true", "mr(-1) refused", "mr(64) refused", "setMr(-1) refused", "setMr(64) refused",
                "br(-1) refused", "br(33) refused", "setBr(-1) refused", "setBr(33) refused", "reg(-1) refused", "reg(6) refused",
                "MyGlobalId untouched: true"), root.log);
        assertEquals(List.of(), h.console);
    }

    @Test
    void exchangeRegistersAndScheduleResultsDecodeAndStartTakesIpThenSp() {
        Root root = new Root() {
            @Override public void main(L4 l4) {
                long t = new Threads(l4).inMySpace(waiter, 0x5000);
                l4.threadSwitch(t);                                  // the waiter runs and blocks in its receive
                ExRegs.Result r = l4.readRegisters(t);
                log.add("read: " + (r.thread() == l4.localIdOf(t)) + " receiving " + r.receiving() + " sending " + r.sending()
                        + " halted " + r.halted() + " ip ok " + (r.ip() == waiter) + " sp " + Long.toHexString(r.sp())
                        + " pager " + ThreadId.toString(r.pager()));
                Schedule.State s = Schedule.State.of(l4.threadState(t));
                Schedule.TimeControl tc = l4.timeControlResult();
                log.add("schedule: " + s + " timeslice " + tc.timesliceMicros() + " µs, quantum " + (tc.quantumMicros() == Long.MAX_VALUE ? "never" : tc.quantumMicros()));
                ExRegs.Result stopped = l4.exRegsResult(l4.stop(t));
                log.add("stop: was receiving " + stopped.receiving() + ", now halted " + l4.readRegisters(t).halted());
                l4.start(t, second, 0x7000);                        // IP, then SP
                l4.threadSwitch(t);
                log.add("fails: " + l4.readRegisters(ThreadId.global(999, 1)).failed());
            }
        };
        Harness h = Harness.run(root);
        assertEquals(List.of("read: true receiving true sending false halted false ip ok true sp 5000 pager 66.1",
                "schedule: WAITING timeslice 10000 µs, quantum never",
                "stop: was receiving true, now halted true",
                "second: ip ok true, sp 28672, args []",
                "fails: true"), root.log);
        assertEquals(List.of(), h.console);
    }

    @Test
    void theRootTaskAloneSeesTheArguments() {
        Root root = new Root() {
            @Override public void main(L4 l4) {
                log.add("root args " + l4.args());
                new Threads(l4).inMySpace(second, 1);
            }
        };
        Ristretto sys = Ristretto.boot(Machine.Config.defaults().withMemory(64L << 20), Harness.testOptions(), root, List.of("x", "y z"));
        assertEquals("no runnable thread and nothing left to wake", sys.run());
        assertEquals(List.of("root args [x, y z]", "second: ip ok true, sp 1, args []"), root.log);
    }
}
