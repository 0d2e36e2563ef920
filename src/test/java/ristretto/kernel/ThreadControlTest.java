package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import ristretto.abi.ErrorCode;
import ristretto.abi.ExRegs;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.Kip;
import ristretto.abi.Schedule;
import ristretto.abi.Timeout;
import ristretto.abi.ThreadId;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.machine.Machine;
import ristretto.system.Harness;
import ristretto.user.L4;

/** ThreadControl (§11.1): create, activate, modify, delete, and every error it reports. */
class ThreadControlTest {

    // ------------------------------------------------------------------ l4test tcontrol.cc

    @Test
    @DisplayName("Run a thread")
    void runAThread() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            s.log.add("ran as " + ThreadId.toString(l4.myGlobalId()) + " ip=" + (l4.startIp() == s.ip("worker")));
            l4.loadMsg(0);
            l4.call(l4.pager());                           // finish with an empty Call to the pager
        });
        s.main(l4 -> {
            long t = id(l4, 1);
            s.log.add("create " + outcome(l4, createHere(l4, t, 1)));
            l4.startThread(t, s.ip("worker"), 0);
            l4.receive(t);
            s.log.add("finished " + (l4.from() == l4.localIdOf(t)));
            s.log.add("delete " + outcome(l4, kill(l4, t)));
            s.log.add("gone " + ThreadId.isNil(l4.localIdOf(t)));
        });
        Harness h = s.run();
        assertEquals(List.of("create ok", "ran as 67.1 ip=true", "finished true", "delete ok", "gone true"), s.log);
        assertEquals("free", h.kernel().stateOf(ThreadId.global(67, 1)));
    }

    @Test
    @DisplayName("Delete self")
    void deletingSelfFailsWithInvalidThread() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            s.log.add(outcome(l4, kill(l4, l4.myGlobalId())));
            s.log.add("still here");
        });
        Harness h = s.run();
        assertEquals(List.of("invalid thread", "still here"), s.log);
        assertEquals("halted", h.kernel().stateOf(h.kernel().rootTaskId()));
    }

    @Test
    @DisplayName("ThreadControl+ExReg")
    void aThreadWaitingForItsStartupMessageIsStartedByExchangeRegisters() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> s.log.add("runs at sp=0x" + Long.toHexString(l4.startSp())));
        s.main(l4 -> {
            long t = id(l4, 1);
            createHere(l4, t, 1);
            long control = ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND | ExRegs.SET_SP | ExRegs.SET_IP | ExRegs.SET_PAGER;
            long r = l4.exchangeRegisters(t, control, s.ip("worker"), 0x7000, 0, 0, l4.myGlobalId());
            s.log.add("result nil " + ThreadId.isNil(r) + ", was receiving " + ((l4.reg(UserCpu.R_CONTROL) & ExRegs.WAS_RECEIVING) != 0));
        });
        s.run();
        assertEquals(List.of("result nil false, was receiving true", "runs at sp=0x7000"), s.log);
    }

    // -------------------------------------------------------------------- create and modify

    @Test
    void anInactiveThreadIsDeadUntilActivatedThenWaitsForItsStartupMessage() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> s.log.add("worker runs, pager " + ThreadId.toString(l4.pager())));
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1);
            s.log.add("create inactive " + outcome(l4, l4.threadControl(t, me, me, ThreadId.NIL, rootUtcb(1))));
            s.log.add("state " + Schedule.resultName(l4.threadState(t)));
            s.log.add("exreg nil " + ThreadId.isNil(l4.localIdOf(t)) + " " + ErrorCode.name(l4.errorCode()));
            s.log.add("startup send " + (L4.failed(l4.startThread(t, s.ip("worker"), 0)) ? "fails" : "ok"));
            s.log.add("activate " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, me, -1)));
            s.log.add("state " + Schedule.resultName(l4.threadState(t)));
            s.log.add("local id " + (l4.localIdOf(t) == rootUtcb(1) + Utcb.MR0_OFFSET));
            l4.startThread(t, s.ip("worker"), 0);
            s.log.add("started, state " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("create inactive ok", "state dead", "exreg nil true invalid thread", "startup send fails",
                "activate ok", "state waiting", "local id true", "started, state running", "worker runs, pager 66.1"), s.log);
    }

    @Test
    void aThreadCreatedActiveDoesNotRunBeforeItsStartupMessage() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> s.log.add("worker"));
        s.main(l4 -> {
            long t = id(l4, 1);
            createHere(l4, t, 1);
            l4.sleepMicros(10_000);                       // the CPU is free: nothing may run t
            s.log.add("slept, state " + Schedule.resultName(l4.threadState(t)));
            l4.startThread(t, s.ip("worker"), 0);
            l4.sleepMicros(10_000);
            s.log.add("done");
        });
        s.run();
        assertEquals(List.of("slept, state waiting", "worker", "done"), s.log);
    }

    @Test
    void modifyingThePagerOfAnActiveThreadSetsItsPagerRegister() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            l4.waitAny();
            s.log.add("worker sees pager " + ThreadId.toString(l4.pager()));
        });
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), other = id(l4, 2);
            startHere(l4, t, 1, s.ip("worker"));
            createHere(l4, other, 2);
            s.log.add("modify " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, other, -1)));
            l4.exchangeRegisters(t, 0, 0, 0, 0, 0, ThreadId.NIL);
            s.log.add("exreg pager " + ThreadId.toString(l4.reg(UserCpu.R_PAGER)));
            l4.loadMsg(0);
            l4.send(t);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("modify ok", "exreg pager 68.1", "worker sees pager 68.1"), s.log);
    }

    @Test
    void aLocalPagerIdIsStoredAsTheGlobalIdItNames() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), u = id(l4, 2);
            s.log.add("my local id " + outcome(l4, l4.threadControl(t, me, me, l4.myLocalId(), rootUtcb(1))));
            l4.exchangeRegisters(t, 0, 0, 0, 0, 0, ThreadId.NIL);
            s.log.add("pager " + ThreadId.toString(l4.reg(UserCpu.R_PAGER)));
            s.log.add("unknown local id " + outcome(l4, l4.threadControl(u, me, me, rootUtcb(5) + Utcb.MR0_OFFSET, rootUtcb(2))));
            s.log.add("nothing created " + Schedule.resultName(l4.threadState(u)));
        });
        s.run();
        assertEquals(List.of("my local id ok", "pager 66.1", "unknown local id invalid thread", "nothing created error"), s.log);
    }

    @Test
    void modifyingTheSchedulerGivesTheNewSchedulerControlOverTheThread() {
        Scenario s = new Scenario();
        long[] ids = new long[2];
        s.entry("scheduler", l4 -> {                     // unprivileged: lives in its own space
            s.log.add("before " + Schedule.resultName(l4.setPriority(ids[0], 50)) + " " + ErrorCode.name(l4.errorCode()));
            l4.receive(ids[1]);                          // root says: you are the scheduler now
            s.log.add("after " + Schedule.resultName(l4.setPriority(ids[0], 50)));
        });
        s.entry("worker", l4 -> l4.receive(l4.myGlobalId()));
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), sched = id(l4, 2);
            ids[0] = t;
            ids[1] = me;
            startHere(l4, t, 1, s.ip("worker"));
            startInNewSpace(l4, sched, s.ip("scheduler"));
            l4.sleepMicros(1000);
            s.log.add("modify " + outcome(l4, l4.threadControl(t, me, sched, ThreadId.NIL, -1)));
            l4.loadMsg(0);
            l4.send(sched);
            l4.sleepMicros(1000);
        });
        Harness h = s.run();
        assertEquals(List.of("before error no privilege", "modify ok", "after waiting"), s.log);
        assertEquals(50, h.kernel().threads.lookupGlobal(ThreadId.global(67, 1)).prio);
    }

    @Test
    void anInactiveThreadMovesToAnotherSpaceAndRunsThere() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> l4.store(MEM + 200, 99));       // the root's memory: only mapped in the root's space
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1);
            l4.store(MEM + 200, 0);
            s.log.add("create in a new space " + outcome(l4, l4.threadControl(t, t, me, ThreadId.NIL, -1)));
            s.log.add("its space is uninitialised " + outcome(l4, l4.spaceControl(t, 0, Fpage.NIL, Fpage.NIL, ThreadId.NIL)));
            s.log.add("move to mine " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, ThreadId.NIL, -1)));
            s.log.add("now in my initialised space " + outcome(l4, l4.spaceControl(t, 0, Fpage.NIL, Fpage.NIL, ThreadId.NIL)));
            s.log.add("activate " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, me, rootUtcb(1))));
            l4.startThread(t, s.ip("worker"), 0);
            l4.sleepMicros(1000);
            s.log.add("wrote my memory " + l4.load(MEM + 200));
        });
        s.run();
        assertEquals(List.of("create in a new space ok", "its space is uninitialised invalid UTCB area", "move to mine ok",
                "now in my initialised space ok", "activate ok",
                "wrote my memory 99"), s.log);
    }

    @Test
    void aNewVersionReplacesTheThreadIdAndTheOldIdStopsResolving() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> {
            l4.receive(l4.pager());
            s.log.add("worker now " + ThreadId.toString(l4.myGlobalId()));
        });
        s.main(l4 -> {
            long me = l4.myGlobalId(), v1 = id(l4, 1, 1), v2 = id(l4, 1, 2);
            startHere(l4, v1, 1, s.ip("worker"));
            s.log.add("new version " + outcome(l4, l4.threadControl(v2, me, ThreadId.NIL, ThreadId.NIL, -1)));
            s.log.add("old id exreg " + ThreadId.toString(l4.localIdOf(v1)) + " " + ErrorCode.name(l4.errorCode()));
            s.log.add("old id schedule " + Schedule.resultName(l4.threadState(v1)) + " " + ErrorCode.name(l4.errorCode()));
            s.log.add("new id exreg " + (l4.localIdOf(v2) == rootUtcb(1) + Utcb.MR0_OFFSET));
            s.log.add("new id local->global " + ThreadId.toString(l4.globalIdOf(rootUtcb(1) + Utcb.MR0_OFFSET)));
            l4.loadMsg(0);
            s.log.add("send to old id " + (L4.failed(l4.send(v1, Timeout.ZERO))
                    ? IpcError.name(l4.ipcError()) : "delivered"));
            l4.loadMsg(0);
            l4.send(v2);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("new version ok", "old id exreg nilthread invalid thread", "old id schedule error invalid thread",
                "new id exreg true", "new id local->global 67.2", "send to old id non-existing partner", "worker now 67.2"), s.log);
    }

    @Test
    void aDeletedThreadsIdNoLongerResolvesAndTheNumberCanBeReused() {
        Scenario s = new Scenario();
        s.entry("worker", l4 -> l4.receive(l4.myGlobalId()));
        s.main(l4 -> {
            long t = id(l4, 1), t3 = id(l4, 1, 3);
            startHere(l4, t, 1, s.ip("worker"));
            l4.sleepMicros(100);
            s.log.add("delete " + outcome(l4, kill(l4, t)));
            s.log.add("exreg " + ThreadId.toString(l4.localIdOf(t)) + " " + ErrorCode.name(l4.errorCode()));
            s.log.add("schedule " + Schedule.resultName(l4.threadState(t)) + " " + ErrorCode.name(l4.errorCode()));
            s.log.add("local id " + ThreadId.toString(l4.globalIdOf(rootUtcb(1) + Utcb.MR0_OFFSET)));
            s.log.add("delete again " + outcome(l4, kill(l4, t)));
            s.log.add("recreate as version 3 " + outcome(l4, createHere(l4, t3, 1)));
            s.log.add("version 1 " + ThreadId.toString(l4.localIdOf(t)) + ", version 3 " + Schedule.resultName(l4.threadState(t3)));
        });
        s.run();
        assertEquals(List.of("delete ok", "exreg nilthread invalid thread", "schedule error invalid thread", "local id nilthread",
                "delete again ok", "recreate as version 3 ok", "version 1 nilthread, version 3 waiting"), s.log);
    }

    @Test
    void aWrongVersionNeverResolvesToTheLiveThread() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long t = id(l4, 1), wrong = id(l4, 1, 7);
            createHere(l4, t, 1);
            s.log.add("exreg " + ThreadId.toString(l4.localIdOf(wrong)));
            s.log.add("schedule " + Schedule.resultName(l4.threadState(wrong)));
            s.log.add("delete " + outcome(l4, kill(l4, wrong)));
            s.log.add("right version still " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("exreg nilthread", "schedule error", "delete ok", "right version still waiting"), s.log);
    }

    @Test
    void deletingAThreadWakesItsQueuedSendersWithNonExistingPartner() {
        Scenario s = new Scenario();
        long[] target = new long[1];
        s.entry("sleeper", l4 -> l4.sleep(Timeout.NEVER));
        s.entry("sender", l4 -> {
            l4.loadMsg(1, 42);
            long tag = l4.send(target[0]);
            s.log.add("send " + (L4.failed(tag) ? IpcError.name(l4.ipcError()) : "ok"));
        });
        s.main(l4 -> {
            long victim = id(l4, 1), sender = id(l4, 2);
            target[0] = victim;
            startHere(l4, victim, 1, s.ip("sleeper"));
            startHere(l4, sender, 2, s.ip("sender"));
            l4.sleepMicros(1000);
            s.log.add("sender " + Schedule.resultName(l4.threadState(sender)));
            s.log.add("delete " + outcome(l4, kill(l4, victim)));
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("sender pending send", "delete ok", "send non-existing partner"), s.log);
    }

    @Test
    void deletingAQueuedSenderWithdrawsItsMessage() {
        Scenario s = new Scenario();
        long[] target = new long[1];
        s.entry("busy", l4 -> {
            l4.sleepMicros(2000);                              // not receiving while the sender queues
            long tag = l4.waitAny(Timeout.period(1000));
            s.log.add("receiver " + (L4.failed(tag) ? IpcError.name(l4.ipcError()) : "got " + l4.mr(1)));
        });
        s.entry("sender", l4 -> { l4.loadMsg(0, 42); l4.send(target[0]); });
        s.main(l4 -> {
            long r = id(l4, 1), snd = id(l4, 2);
            target[0] = r;
            startHere(l4, r, 1, s.ip("busy"));
            startHere(l4, snd, 2, s.ip("sender"));
            l4.sleepMicros(1000);
            s.log.add("sender " + Schedule.resultName(l4.threadState(snd)));
            s.log.add("delete " + outcome(l4, kill(l4, snd)));
            l4.sleepMicros(5000);
        });
        s.run();
        assertEquals(List.of("sender pending send", "delete ok", "receiver timeout"), s.log);
    }

    @Test
    void deletingAThreadBlockedInItsOwnIpcEndsThatIpc() {
        Scenario s = new Scenario();
        s.entry("receiver", l4 -> {
            l4.waitAny();
            s.log.add("receiver must not continue after deletion");
        });
        s.main(l4 -> {
            long t = id(l4, 1);
            startHere(l4, t, 1, s.ip("receiver"));
            l4.sleepMicros(1000);
            s.log.add(Schedule.resultName(l4.threadState(t)));
            s.log.add("delete " + outcome(l4, kill(l4, t)));
            l4.sleepMicros(1000);
        });
        Harness h = s.run();
        assertEquals(List.of("waiting", "delete ok"), s.log);
        assertEquals(2, h.kernel().liveThreads());      // sigma0 and the root
    }

    // ------------------------------------------------------------------------------- errors

    @Test
    void anUnprivilegedSpaceGetsNoPrivilegeForEveryOperation() {
        Scenario s = new Scenario();
        long[] ids = new long[3];
        s.entry("unprivileged", l4 -> {
            long me = l4.myGlobalId();
            s.log.add("create " + outcome(l4, l4.threadControl(ids[0], me, me, me, NEW_UTCB_BASE + Utcb.SIZE)));
            s.log.add("modify " + outcome(l4, l4.threadControl(ids[1], ids[1], me, ThreadId.NIL, -1)));
            s.log.add("delete " + outcome(l4, kill(l4, ids[1])));
            s.log.add("delete self " + outcome(l4, kill(l4, me)));
        });
        s.main(l4 -> {
            ids[0] = id(l4, 2);
            ids[1] = id(l4, 3);
            createHere(l4, ids[1], 3);
            startInNewSpace(l4, id(l4, 1), s.ip("unprivileged"));
            l4.sleepMicros(1000);
            s.log.add("victim intact " + Schedule.resultName(l4.threadState(ids[1])) + ", nothing created "
                    + Schedule.resultName(l4.threadState(ids[0])));
        });
        s.run();
        assertEquals(List.of("create no privilege", "modify no privilege", "delete no privilege", "delete self no privilege",
                "victim intact waiting, nothing created error"), s.log);
    }

    @Test
    void destinationsThatAreNoUserThreadsAreInvalidThreads() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId();
            long kip = l4.kernelInterface();
            long info = l4.load(kip + Kip.THREAD_INFO_OFF);
            int systemBase = Kip.systemBase(info), userBase = Kip.userBase(info);
            int bits = Kip.threadBits(info);
            long[] dests = {
                    ThreadId.global(3, 1),                        // an interrupt thread
                    ThreadId.global(systemBase, 1),               // kernel threads
                    ThreadId.global(userBase - 1, 1),
                    l4.myLocalId(),                               // a local ID
                    ThreadId.ANY,
                    ThreadId.global(1L << bits, 1),               // beyond the thread table
            };
            for (long d : dests) {
                s.log.add("create " + outcome(l4, l4.threadControl(d, me, me, me, rootUtcb(5))));
                s.log.add("delete " + outcome(l4, kill(l4, d)));
            }
            s.log.add("slot 5 still free " + outcome(l4, createHere(l4, id(l4, 1), 5)));
        });
        s.run();
        List<String> expected = new ArrayList<>();
        // Deleting any of them "succeeds" as deleting a thread that does not exist does (§11.1
        // step 5), except that kernel and interrupt threads and out-of-range numbers are refused.
        for (int i = 0; i < 6; i++) { expected.add("create invalid thread"); expected.add("delete invalid thread"); }
        expected.add("slot 5 still free ok");
        assertEquals(expected, s.log);
    }

    @Test
    void deletingANonExistingThreadSucceedsAsX2Says() {
        // §11.1 step 5: "Returns 1 even if the thread did not exist" (X.2 and Pistachio agree).
        Scenario s = new Scenario();
        s.main(l4 -> s.log.add(outcome(l4, kill(l4, id(l4, 9)))));
        s.run();
        assertEquals(List.of("ok"), s.log);
    }

    @Test
    void anInvalidSpaceSpecifierIsInvalidSpace() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), nobody = id(l4, 2), stale = ThreadId.global(ThreadId.number(me), 2);
            s.log.add("non-existing " + outcome(l4, l4.threadControl(t, nobody, me, me, rootUtcb(1))));
            s.log.add("stale version " + outcome(l4, l4.threadControl(t, stale, me, me, rootUtcb(1))));
            s.log.add("local id of nobody " + outcome(l4, l4.threadControl(t, rootUtcb(3) + Utcb.MR0_OFFSET, me, me, rootUtcb(1))));
            s.log.add("inactive too " + outcome(l4, l4.threadControl(t, nobody, me, ThreadId.NIL, -1)));
            s.log.add("nothing created " + Schedule.resultName(l4.threadState(t)));
            s.log.add("my local id works " + outcome(l4, l4.threadControl(t, l4.myLocalId(), me, me, rootUtcb(1))));
        });
        s.run();
        assertEquals(List.of("non-existing invalid space", "stale version invalid space", "local id of nobody invalid space",
                "inactive too invalid space", "nothing created error", "my local id works ok"), s.log);
    }

    @Test
    void activatingIntoAnUninitialisedSpaceIsInvalidSpace() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId(), first = id(l4, 1), second = id(l4, 2);
            s.log.add("brand-new space, active " + outcome(l4, l4.threadControl(first, first, me, me, NEW_UTCB_BASE)));
            s.log.add("brand-new space, inactive " + outcome(l4, l4.threadControl(first, first, me, ThreadId.NIL, -1)));
            s.log.add("second thread, active " + outcome(l4, l4.threadControl(second, first, me, me, NEW_UTCB_BASE + Utcb.SIZE)));
            s.log.add("activate first " + outcome(l4, l4.threadControl(first, first, ThreadId.NIL, me, NEW_UTCB_BASE)));
            s.log.add("after SpaceControl " + outcome(l4, l4.spaceControl(first, 0, NEW_KIP_AREA, NEW_UTCB_AREA, ThreadId.NIL)));
            s.log.add("activate first " + outcome(l4, l4.threadControl(first, first, ThreadId.NIL, me, NEW_UTCB_BASE)));
            s.log.add("second thread, active " + outcome(l4, l4.threadControl(second, first, me, me, NEW_UTCB_BASE + Utcb.SIZE)));
        });
        s.run();
        assertEquals(List.of("brand-new space, active invalid space", "brand-new space, inactive ok", "second thread, active invalid space",
                "activate first invalid space", "after SpaceControl ok", "activate first ok", "second thread, active ok"), s.log);
    }

    @Test
    void aNilOrInvalidSchedulerOnCreationIsInvalidScheduler() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1);
            s.log.add("nil " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, me, rootUtcb(1))));
            s.log.add("non-existing " + outcome(l4, l4.threadControl(t, me, id(l4, 5), me, rootUtcb(1))));
            s.log.add("nothing created " + Schedule.resultName(l4.threadState(t)));
            s.log.add("valid " + outcome(l4, l4.threadControl(t, me, me, me, rootUtcb(1))));
            s.log.add("modify with an invalid one " + outcome(l4, l4.threadControl(t, me, id(l4, 5), ThreadId.NIL, -1)));
            s.log.add("modify with nil leaves it " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, ThreadId.NIL, -1)));
        });
        s.run();
        assertEquals(List.of("nil invalid scheduler", "non-existing invalid scheduler", "nothing created error", "valid ok",
                "modify with an invalid one invalid scheduler", "modify with nil leaves it ok"), s.log);
    }

    @Test
    void badUtcbLocationsAreUtcbAreaErrors() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), u = id(l4, 2);
            s.log.add("misaligned " + outcome(l4, l4.threadControl(t, me, me, me, rootUtcb(1) + 8)));
            s.log.add("half-aligned " + outcome(l4, l4.threadControl(t, me, me, me, rootUtcb(1) + 512)));
            s.log.add("below the area " + outcome(l4, l4.threadControl(t, me, me, me, ROOT_UTCB_BASE - Utcb.SIZE)));
            s.log.add("past the area " + outcome(l4, l4.threadControl(t, me, me, me, ROOT_UTCB_BASE + (1L << 30))));
            s.log.add("straddling the end " + outcome(l4, l4.threadControl(t, me, me, me, ROOT_UTCB_BASE + (1L << 30) - 512)));
            s.log.add("the root's own " + outcome(l4, l4.threadControl(t, me, me, me, rootUtcb(0))));
            s.log.add("none given " + outcome(l4, l4.threadControl(t, me, me, me, -1)));
            s.log.add("inactive, misaligned " + outcome(l4, l4.threadControl(t, me, me, ThreadId.NIL, rootUtcb(1) + 8)));
            s.log.add("nothing created " + Schedule.resultName(l4.threadState(t)));
            s.log.add("valid " + outcome(l4, createHere(l4, t, 1)));
            s.log.add("in use by another " + outcome(l4, l4.threadControl(u, me, me, me, rootUtcb(1))));
            s.log.add("new location for an active thread " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, ThreadId.NIL, rootUtcb(2))));
            s.log.add("same location for an active thread " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, ThreadId.NIL, rootUtcb(1))));
            s.log.add("still at slot 1 " + (l4.localIdOf(t) == rootUtcb(1) + Utcb.MR0_OFFSET));
            s.log.add("free after deletion " + outcome(l4, kill(l4, t)) + " " + outcome(l4, l4.threadControl(u, me, me, me, rootUtcb(1))));
        });
        s.run();
        assertEquals(List.of("misaligned invalid UTCB area", "half-aligned invalid UTCB area", "below the area invalid UTCB area",
                "past the area invalid UTCB area", "straddling the end invalid UTCB area", "the root's own invalid UTCB area",
                "none given invalid UTCB area", "inactive, misaligned invalid UTCB area", "nothing created error", "valid ok",
                "in use by another invalid UTCB area", "new location for an active thread invalid UTCB area",
                "same location for an active thread invalid UTCB area", "still at slot 1 true", "free after deletion ok ok"), s.log);
    }

    @Test
    void activatingAnInactiveThreadAtALocationInUseIsAUtcbAreaError() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), u = id(l4, 2);
            s.log.add("inactive at slot 1 " + outcome(l4, l4.threadControl(t, me, me, ThreadId.NIL, rootUtcb(1))));
            s.log.add("active at slot 1 " + outcome(l4, createHere(l4, u, 1)));
            s.log.add("activate the first " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, me, -1)));
            s.log.add("activate elsewhere " + outcome(l4, l4.threadControl(t, me, ThreadId.NIL, me, rootUtcb(2))));
            s.log.add("state " + Schedule.resultName(l4.threadState(t)));
        });
        s.run();
        assertEquals(List.of("inactive at slot 1 ok", "active at slot 1 ok", "activate the first invalid UTCB area",
                "activate elsewhere ok", "state waiting"), s.log);
    }

    @Test
    void runningOutOfKernelMemoryIsOutOfMemoryAndDeletionGivesItBack() {
        // 43 MiB: the kernel's top quarter (10.75 MiB) just clears the root task's 16..32 MiB.
        Machine.Config small = Machine.Config.defaults().withMemory(43L << 20);
        List<String> log = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId();
            for (int round = 0; round < 2; round++) {
                int n = 0;
                while (true) {              // one new space each: every activation needs a fresh UTCB frame
                    long t = id(l4, 1 + n);
                    if (!l4.threadControl(t, t, me, ThreadId.NIL, -1)) { log.add("create " + ErrorCode.name(l4.errorCode())); break; }
                    l4.spaceControl(t, 0, NEW_KIP_AREA, NEW_UTCB_AREA, ThreadId.NIL);
                    if (!l4.threadControl(t, t, ThreadId.NIL, me, NEW_UTCB_BASE)) {
                        log.add("activate " + ErrorCode.name(l4.errorCode()) + ", state " + Schedule.resultName(l4.threadState(t)));
                        kill(l4, t);
                        break;
                    }
                    n++;
                }
                counts.add(n);
                for (int i = 0; i < n; i++) kill(l4, id(l4, 1 + i));
            }
        });
        Scenario.checked(Harness.run(small, Harness.testOptions().withTracing(false).withCheckedMode(false).withThreadBits(14), s));
        assertEquals(List.of("activate out of memory, state dead", "activate out of memory, state dead"), log);
        assertTrue(counts.get(0) > 2000, "about 2700 UTCB frames expected, got " + counts);
        assertEquals(counts.get(0), counts.get(1), "deleting the threads destroys their spaces and frees their frames");
    }
}
