package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.abi.ExRegs.*;
import static ristretto.kernel.Scenario.*;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import ristretto.abi.ErrorCode;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.user.L4;

/** ExchangeRegisters (§10): l4test's exreg.cc (§16.6) and the semantics it does not cover. */
class ExchangeRegistersTest {

    private static final long NIL = ThreadId.NIL;

    private static String control(L4 l4) {
        long c = l4.reg(UserCpu.R_CONTROL);
        String s = ((c & WAS_HALTED) != 0 ? "h" : "-") + ((c & WAS_RECEIVING) != 0 ? "r" : "-") + ((c & WAS_SENDING) != 0 ? "s" : "-");
        return (c & ~7L) == 0 ? s : s + "+0x" + Long.toHexString(c);
    }

    // ---------------------------------------------------------------------- l4test exreg.cc

    @Test
    @DisplayName("ExReg return value")
    void exchangeRegistersOnANonExistentThreadReturnsNil() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long r = l4.exchangeRegisters(id(l4, 1), 0, 0, 0, 0, 0, NIL);
            s.log.add(ThreadId.toString(r) + " " + ErrorCode.name(l4.errorCode()));
        });
        s.run();
        assertEquals(List.of("nilthread invalid thread"), s.log);
    }

    @Test
    @DisplayName("ExRegs local  -> global")
    void theGlobalIdOfMyLocalIdIsMyGlobalId() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long local = ROOT_UTCB_BASE + Utcb.MR0_OFFSET;       // the root's UTCB is slot 0 of its area
            s.log.add(String.valueOf(l4.globalIdOf(local) == l4.myGlobalId()));
            s.log.add(ThreadId.toString(l4.globalIdOf(local)));
        });
        s.run();
        assertEquals(List.of("true", "66.1"), s.log);
    }

    @Test
    @DisplayName("ExRegs global -> local ")
    void theLocalIdOfMyGlobalIdIsMyLocalId() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long local = l4.localIdOf(l4.myGlobalId());
            s.log.add(String.valueOf(local == ROOT_UTCB_BASE + Utcb.MR0_OFFSET));
            s.log.add(String.valueOf(ThreadId.isLocal(local)));
        });
        s.run();
        assertEquals(List.of("true", "true"), s.log);
    }

    /** A sleeping thread, re-pointed with r, s, SP, IP and pager; every re-pointing restarts it at IP. */
    private static Scenario thrash(int times, long pauseMicros) {
        Scenario s = new Scenario();
        s.entry("sleeper", l4 -> {
            s.log.add("start sp=" + l4.startSp());
            while (true) l4.sleep(Timeout.NEVER);
        });
        s.main(l4 -> {
            long t = id(l4, 1), me = l4.myGlobalId();
            startHere(l4, t, 1, s.ip("sleeper"));
            l4.sleepMicros(1000);
            int ok = 0;
            for (int i = 1; i <= times; i++) {
                long r = l4.exchangeRegisters(t, CANCEL_RECV | CANCEL_SEND | SET_SP | SET_IP | SET_PAGER, s.ip("sleeper"), i, 0, 0, me);
                if (!ThreadId.isNil(r)) ok++;
                if (pauseMicros > 0) l4.sleepMicros(pauseMicros);
            }
            l4.sleepMicros(1000);
            s.log.add("exregs ok " + ok + ", state " + Schedule.resultName(l4.threadState(t)));
        });
        return s;
    }

    @Test
    @DisplayName("ExReg thrash (wait)")
    void aSleepingThreadRepointedTwentyTimesRestartsEachTime() {
        Scenario s = thrash(20, 500_000);
        s.run();
        assertEquals(22, s.log.size(), s.log.toString());
        assertEquals("start sp=4096", s.log.get(0));
        for (int i = 1; i <= 20; i++) assertEquals("start sp=" + i, s.log.get(i));
        assertEquals("exregs ok 20, state waiting", s.log.get(21));
    }

    @Test
    @DisplayName("ExReg thrash (nowait)")
    void aThreadRepointedAHundredTimesBackToBackRestartsOnceAtTheLastValues() {
        Scenario s = thrash(100, 0);
        s.run();
        assertEquals(List.of("start sp=4096", "start sp=100", "exregs ok 100, state waiting"), s.log);
    }

    @Test
    @DisplayName("ExReg then ThreadControl")
    void exchangeRegistersOnAFutureIdFailsThenThreadControlCreatesIt() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long t = id(l4, 1);
            s.log.add("exreg " + ThreadId.toString(l4.exchangeRegisters(t, START, 0, 0, 0, 0, NIL)));
            s.log.add("create " + outcome(l4, createHere(l4, t, 1)));
        });
        s.run();
        assertEquals(List.of("exreg nilthread", "create ok"), s.log);
    }

    @Test
    @DisplayName("ExchangeRegisters on inactive thread")
    void aThreadWaitingForItsStartupMessageIsStartedWith0x19E() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            l4.loadMsg(0x77, l4.startSp());
            l4.send(l4.pager());
        });
        s.main(l4 -> {
            long t = id(l4, 1), me = l4.myGlobalId();
            createHere(l4, t, 1);
            long r = l4.exchangeRegisters(t, 0x19E, s.ip("worker"), 0xABC0, 0, 0, me);
            s.log.add("result nil " + ThreadId.isNil(r));
            long tag = l4.receive(t, Timeout.period(5_000_000));
            s.log.add(L4.failed(tag) ? "no message: " + IpcError.toString(l4.errorCode())
                    : "label 0x" + Long.toHexString(MsgTag.label(tag)) + " sp 0x" + Long.toHexString(l4.mr(1)));
        });
        s.run();
        assertEquals(List.of("result nil false", "label 0x77 sp 0xabc0"), s.log);
    }

    @Test
    @DisplayName("ExReg thread with no pager")
    void exchangeRegistersOnAThreadCreatedWithoutPagerFailsCleanly() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long t = id(l4, 1), me = l4.myGlobalId();
            l4.threadControl(t, me, me, NIL, rootUtcb(1));
            long r = l4.exchangeRegisters(t, SET_PAGER | START, 0, 0, 0, 0, NIL);
            s.log.add(ThreadId.toString(r) + " " + ErrorCode.name(l4.errorCode()));
            s.log.add("state " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("nilthread invalid thread", "state dead"), s.log);
    }

    // ------------------------------------------------------------------ registers and results

    @Test
    void outputsAreTheOldValuesAndInputsReplaceThem() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            l4.setUserDefinedHandle(0x1234);
            l4.waitAny();
        });
        s.main(l4 -> {
            long t = id(l4, 1), me = l4.myGlobalId(), other = id(l4, 2);
            createHere(l4, t, 1);
            l4.startThread(t, s.ip("worker"), 0x5000);
            l4.sleepMicros(100);
            l4.exchangeRegisters(t, SET_FLAGS | SET_HANDLE | SET_PAGER, 0x2222, 0x1111, 0x202, 0x99, other);
            s.log.add(String.format("old: %s sp=%x ip=%b flags=%x handle=%x pager=%s", control(l4), l4.reg(UserCpu.R_SP),
                    l4.reg(UserCpu.R_IP) == s.ip("worker"), l4.reg(UserCpu.R_FLAGS), l4.reg(UserCpu.R_HANDLE),
                    ThreadId.toString(l4.reg(UserCpu.R_PAGER))));
            l4.exchangeRegisters(t, DELIVER, 0, 0, 0, 0, NIL);
            s.log.add(String.format("now: %s sp=%x ip=%b flags=%x handle=%x pager=%s", control(l4), l4.reg(UserCpu.R_SP),
                    l4.reg(UserCpu.R_IP) == s.ip("worker"), l4.reg(UserCpu.R_FLAGS), l4.reg(UserCpu.R_HANDLE),
                    ThreadId.toString(l4.reg(UserCpu.R_PAGER))));
            s.log.add("me " + ThreadId.toString(me) + " still receiving " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("old: -r- sp=5000 ip=true flags=0 handle=1234 pager=66.1",
                "now: -r- sp=5000 ip=true flags=202 handle=99 pager=68.1",
                "me 66.1 still receiving waiting"), s.log);
    }

    @Test
    void theControlResultReportsHaltedReceivingAndSending() {
        Scenario s = new Scenario();
        long[] root = new long[1];
        s.entry("receiver", l4 -> l4.waitAny());
        s.entry("sender", l4 -> { l4.loadMsg(0); l4.send(root[0]); });
        s.entry("looper", l4 -> spin(l4, MEM, 10_000_000));
        s.main(l4 -> {
            root[0] = l4.myGlobalId();
            long rcv = id(l4, 1), snd = id(l4, 2), run = id(l4, 3), fresh = id(l4, 4);
            startHere(l4, rcv, 1, s.ip("receiver"));
            startHere(l4, snd, 2, s.ip("sender"));
            startHere(l4, run, 3, s.ip("looper"));
            createHere(l4, fresh, 4);
            l4.sleepMicros(1000);
            for (long t : new long[] {rcv, snd, run, fresh}) {
                l4.exchangeRegisters(t, 0, 0, 0, 0, 0, NIL);
                s.log.add(control(l4));
            }
            l4.stop(run);
            l4.exchangeRegisters(run, 0, 0, 0, 0, 0, NIL);
            s.log.add("stopped " + control(l4));
            l4.stop(rcv);
            l4.exchangeRegisters(rcv, 0, 0, 0, 0, 0, NIL);
            s.log.add("receiver after stop " + control(l4));
            for (long t : new long[] {rcv, snd, run, fresh}) kill(l4, t);
        });
        s.run();
        assertEquals(List.of("-r-", "--s", "---", "-r-", "stopped h--", "receiver after stop hr-"), s.log);
    }

    @Test
    void reservedControlBitsAreAnInvalidParameter() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> l4.waitAny());
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("worker"));
            for (int bit : new int[] {10, 11, 12, 13, 31, 63}) {
                long r = l4.exchangeRegisters(t, (1L << bit) | SET_HANDLE, 0, 0, 0, 0xBAD, NIL);
                s.log.add(bit + ": " + ThreadId.toString(r) + " " + ErrorCode.name(l4.errorCode()));
            }
            l4.exchangeRegisters(t, 0, 0, 0, 0, 0, NIL);
            s.log.add("handle untouched " + (l4.reg(UserCpu.R_HANDLE) == 0));
        });
        s.run();
        assertEquals(List.of("10: nilthread invalid parameter", "11: nilthread invalid parameter", "12: nilthread invalid parameter",
                "13: nilthread invalid parameter", "31: nilthread invalid parameter", "63: nilthread invalid parameter",
                "handle untouched true"), s.log);
    }

    @Test
    void aThreadOfAnotherSpaceIsAnInvalidThread() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> l4.waitAny());
        s.main(l4 -> {
            long t = id(l4, 1);
            startInNewSpace(l4, t, s.ip("worker"));
            long r = l4.exchangeRegisters(t, STOP, 0, 0, 0, 0, NIL);
            s.log.add(ThreadId.toString(r) + " " + ErrorCode.name(l4.errorCode()));
            s.log.add("not halted: " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("nilthread invalid thread", "not halted: running"), s.log);
    }

    @Test
    void aThreadMayApplyItToItselfAndStopItself() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            long me = l4.myGlobalId();
            s.log.add("self local " + (l4.localIdOf(me) == rootUtcb(1) + Utcb.MR0_OFFSET));
            l4.exchangeRegisters(me, SET_HANDLE, 0, 0, 0, 0x42, NIL);
            s.log.add("handle " + Long.toHexString(l4.userDefinedHandle()));
            l4.stop(me);
            s.log.add("resumed");
        });
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("worker"));
            l4.sleepMicros(1000);
            s.log.add("state " + Schedule.resultName(l4.threadState(t)));
            l4.start(t);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("self local true", "handle 42", "state inactive", "resumed"), s.log);
    }

    // ------------------------------------------------------------------- halt and resume

    @Test
    void haltingARunningThreadStopsItAtOnceAndResumingContinuesIt() {
        Scenario s = new Scenario();
        s.entry("counter", l4 -> spin(l4, MEM, 50_000_000));
        s.main(l4 -> {
            long t = id(l4, 1);
            l4.store(MEM, 0);
            startHere(l4, t, 1, s.ip("counter"));
            l4.sleepMicros(1000);
            long c1 = l4.load(MEM);
            l4.stop(t);
            s.log.add("was " + control(l4));
            long c2 = l4.load(MEM);
            l4.sleepMicros(2000);
            long c3 = l4.load(MEM);
            s.log.add("counted before halt " + (c1 > 0) + ", frozen while halted " + (c2 == c3));
            s.log.add("state " + Schedule.resultName(l4.threadState(t)));
            l4.start(t);
            s.log.add("resumed, was " + control(l4));
            l4.sleepMicros(1000);
            s.log.add("counts again " + (l4.load(MEM) > c3));
            kill(l4, t);
        });
        s.run();
        assertEquals(List.of("was ---", "counted before halt true, frozen while halted true", "state inactive",
                "resumed, was h--", "counts again true"), s.log);
    }

    @Test
    void haltingAThreadBlockedInIpcTakesEffectWhenTheIpcCompletes() {
        Scenario s = new Scenario();
        s.entry("receiver", l4 -> {
            l4.waitAny();
            s.log.add("receiver got " + l4.mr(1));
        });
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("receiver"));
            l4.sleepMicros(1000);
            l4.stop(t);
            s.log.add("stop: was " + control(l4));
            l4.exchangeRegisters(t, 0, 0, 0, 0, 0, NIL);
            s.log.add("now " + control(l4) + " " + Schedule.resultName(l4.threadState(t)));
            l4.loadMsg(0, 7);
            s.log.add("send " + (L4.failed(l4.send(t, Timeout.ZERO)) ? "failed" : "ok"));
            l4.sleepMicros(1000);
            s.log.add("after the message " + Schedule.resultName(l4.threadState(t)));
            l4.start(t);
            l4.sleepMicros(1000);
            s.log.add("end " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("stop: was -r-", "now hr- waiting", "send ok", "after the message inactive", "receiver got 7",
                "end inactive"), s.log);
    }

    @Test
    void haltingAThreadWaitingForItsStartupMessageKeepsItFromRunningUntilResumed() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> s.log.add("worker runs at sp " + l4.startSp()));
        s.main(l4 -> {
            long t = id(l4, 1);
            createHere(l4, t, 1);
            l4.stop(t);
            l4.startThread(t, s.ip("worker"), 5);
            l4.sleepMicros(1000);
            s.log.add("after start-up message " + Schedule.resultName(l4.threadState(t)));
            l4.start(t);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("after start-up message inactive", "worker runs at sp 5"), s.log);
    }

    @Test
    void abortIpcAndStopCancelsASendAndTheThreadSeesItWhenResumed() {
        Scenario s = new Scenario();
        long[] root = new long[1];
        s.entry("sender", l4 -> {
            l4.loadMsg(0);
            long tag = l4.send(root[0]);
            s.log.add("send " + (L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "ok"));
        });
        s.main(l4 -> {
            root[0] = l4.myGlobalId();
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("sender"));
            l4.sleepMicros(1000);
            l4.abortIpcAndStop(t);
            s.log.add("was " + control(l4) + ", now " + Schedule.resultName(l4.threadState(t)));
            l4.sleepMicros(1000);
            l4.start(t);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("was --s, now inactive", "send send phase, canceled"), s.log);
    }

    @Test
    void cancelingAReceiveEndsItWithCanceledInTheReceivePhase() {
        Scenario s = new Scenario();
        s.entry("receiver", l4 -> {
            long tag = l4.waitAny();
            s.log.add("receive " + (L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "ok"));
            tag = l4.waitAny();
            s.log.add("again " + (L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "ok"));
        });
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("receiver"));
            l4.sleepMicros(1000);
            l4.exchangeRegisters(t, CANCEL_SEND, 0, 0, 0, 0, NIL);     // not sending: nothing happens
            l4.sleepMicros(1000);
            s.log.add("after s " + Schedule.resultName(l4.threadState(t)));
            l4.exchangeRegisters(t, CANCEL_RECV, 0, 0, 0, 0, NIL);
            l4.sleepMicros(1000);
            s.log.add("after r " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("after s waiting", "receive receive phase, canceled", "after r waiting"), s.log);
    }

    @Test
    void settingTheIpOfAStartedThreadRestartsItAtTheNewEntryPoint() {
        Scenario s = new Scenario();
        s.entry("first", l4 -> {
            s.log.add("first");
            l4.waitAny();
            s.log.add("first continued");
        });
        s.entry("second", l4 -> s.log.add("second at sp " + Long.toHexString(l4.startSp()) + " ip ok " + (l4.startIp() == s.ip("second"))));
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("first"));
            l4.sleepMicros(1000);
            l4.exchangeRegisters(t, CANCEL_RECV | SET_IP | SET_SP, s.ip("second"), 0xF00, 0, 0, NIL);
            s.log.add("old ip was first " + (l4.reg(UserCpu.R_IP) == s.ip("first")));
            l4.sleepMicros(1000);
            l4.exchangeRegisters(t, 0, 0, 0, 0, 0, NIL);
            s.log.add("ip now second " + (l4.reg(UserCpu.R_IP) == s.ip("second")) + ", state " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("first", "old ip was first true", "second at sp f00 ip ok true", "ip now second true, state inactive"), s.log);
    }

    @Test
    void aNewIpWithoutCancelTakesEffectWhenTheThreadLeavesTheKernel() {
        Scenario s = new Scenario();
        s.entry("first", l4 -> {
            l4.waitAny();
            s.log.add("first continued");
        });
        s.entry("second", l4 -> s.log.add("second"));
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("first"));
            l4.sleepMicros(1000);
            l4.exchangeRegisters(t, SET_IP, s.ip("second"), 0, 0, 0, NIL);
            l4.sleepMicros(1000);
            s.log.add("still " + Schedule.resultName(l4.threadState(t)));
            l4.loadMsg(0);
            l4.send(t);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("still waiting", "second"), s.log);
    }

    @Test
    void aThreadSettingItsOwnIpRestartsThereAtOnce() {
        Scenario s = new Scenario();
        s.entry("first", l4 -> {
            s.log.add("first");
            l4.exchangeRegisters(l4.myGlobalId(), SET_IP | SET_SP, s.ip("second"), 0x42, 0, 0, NIL);
            s.log.add("first continued");
        });
        s.entry("second", l4 -> s.log.add("second sp " + Long.toHexString(l4.startSp())));
        s.main(l4 -> startHere(l4, id(l4, 1), 1, s.ip("first")));
        s.run();
        assertEquals(List.of("first", "second sp 42"), s.log);
    }

    @Test
    void settingTheIpOfAHaltedThreadStartsItThereWhenResumed() {
        Scenario s = new Scenario();
        s.entry("first", l4 -> s.log.add("first"));
        s.entry("second", l4 -> s.log.add("second"));
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("first"));
            l4.sleepMicros(1000);                           // first ran and returned: halted
            s.log.add(Schedule.resultName(l4.threadState(t)));
            l4.exchangeRegisters(t, SET_IP | HALT_VALID, s.ip("second"), 0, 0, 0, NIL);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("first", "inactive", "second"), s.log);
    }

    @Test
    void localAndGlobalIdsOfAnotherThreadTranslate() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long t = id(l4, 1);
            createHere(l4, t, 7);
            long local = l4.localIdOf(t);
            s.log.add(String.valueOf(local == rootUtcb(7) + Utcb.MR0_OFFSET));
            s.log.add(ThreadId.toString(l4.globalIdOf(local)));
            s.log.add("bogus local " + ThreadId.toString(l4.globalIdOf(rootUtcb(9) + Utcb.MR0_OFFSET)));
        });
        s.run();
        assertEquals(List.of("true", "67.1", "bogus local nilthread"), s.log);
    }
}
