package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.ExRegs;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.system.Harness;

/**
 * The start-up message (§13.6, §11.1): a freshly activated thread waits in a receive from its
 * pager; the pager's first IPC starts it, and only a u = 2 message loads IP (MR1) and SP (MR2),
 * whatever its label. ExchangeRegisters with r (and SP/IP) starts it without any IPC (§10.3).
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class StartupMessageTest {
    final Map<String, Object> rec = new LinkedHashMap<>();
    final List<String> ran = new ArrayList<>();

    /** Creates an activated thread in the root's space with {@code pager}, without starting it. */
    static long create(IpcScenario.Root root, long pager, int slot) {
        long t = root.threads.nextId(1);
        long me = root.l4.myGlobalId();
        if (!root.l4.threadControl(t, me, me, pager, ROOT_UTCB_BASE + (long) Utcb.SIZE * slot))
            throw new IllegalStateException("ThreadControl failed: " + root.l4.errorCode());
        return t;
    }

    @Test
    void aFreshThreadWaitsForItsPagersStartupMessageWhichLoadsIpAndSp() {
        long[] id = new long[2];
        Harness h = run(root -> {
            long sp = root.sp(l4 -> ran.add("T ip=" + (l4.startIp() == root.ip()) + " sp=" + l4.startSp()));
            id[0] = create(root, root.l4.myGlobalId(), 100);
            id[1] = root.local(l4 -> {                   // not the pager: its message is not taken
                l4.loadMsg(0, root.ip(), 12345);
                l4.send(id[0], Timeout.ZERO);
                rec.put("other zero", Outcome.of(l4));
                l4.loadMsg(0, root.ip(), 12345);
                l4.send(id[0], Timeout.period(100));
                rec.put("other timed", Outcome.of(l4));
            });
            rec.put("state before", root.state(id[0]));
            root.sleep(1000);
            rec.put("state after others", root.state(id[0]));
            rec.put("ran before start", new ArrayList<>(ran));
            root.l4.loadMsg(0x4321, root.ip(), sp);       // any label; u = 2
            root.l4.send(id[0], Timeout.ZERO);
            rec.put("start", Outcome.of(root.l4));
        });
        assertEquals((long) Schedule.WAITING, rec.get("state before"));
        assertEquals((long) Schedule.WAITING, rec.get("state after others"));
        assertEquals(err(SEND, IpcError.TIMEOUT), ((Outcome) rec.get("other zero")).errorCode());
        assertEquals(err(SEND, IpcError.TIMEOUT), ((Outcome) rec.get("other timed")).errorCode());
        assertEquals(List.of(), rec.get("ran before start"));
        assertTrue(((Outcome) rec.get("start")).ok(), "the pager finds the new thread waiting (zero timeout suffices)");
        assertEquals(1, ran.size(), ran::toString);
        assertTrue(ran.get(0).startsWith("T ip=true sp="), ran::toString);
        assertEquals("halted", h.kernel().stateOf(id[0]));
    }

    @Test
    void aPagerThreadStartsTheThreadsItPages() {
        long[] id = new long[2];
        run(root -> {
            long sp = root.sp(l4 -> { ran.add("T sp=" + l4.startSp() + " pager=" + ThreadId.toString(l4.pager())); });
            id[0] = root.local(l4 -> {                   // the pager
                l4.sleepMicros(10);
                l4.loadMsg(0, root.ip(), sp);
                l4.send(id[1]);
                rec.put("pager start", Outcome.of(l4));
            });
            id[1] = create(root, id[0], 100);
            rec.put("sp", sp);
        });
        assertTrue(((Outcome) rec.get("pager start")).ok());
        assertEquals(List.of("T sp=" + rec.get("sp") + " pager=" + ThreadId.toString(id[0])), ran);
    }

    @Test
    void onlyAMessageWithTwoUntypedWordsLoadsIpAndSp() {
        long[] id = new long[1];
        run(root -> {
            long spSet = root.sp(l4 -> ran.add("started with the SP set by ExchangeRegisters"));
            long spMsg = root.sp(l4 -> ran.add("started with the SP of the message"));
            id[0] = create(root, root.l4.myGlobalId(), 100);
            // Set IP and SP without cancelling the start-up receive: the thread keeps waiting.
            root.l4.exchangeRegisters(id[0], ExRegs.SET_IP | ExRegs.SET_SP, root.ip(), spSet, 0, 0, ThreadId.NIL);
            rec.put("state after exregs", root.state(id[0]));
            root.l4.loadMsg(0x1, root.ip(), spMsg, 0);   // u = 3: starts it, but loads nothing
            root.l4.send(id[0], Timeout.ZERO);
            rec.put("start", Outcome.of(root.l4));
        });
        assertEquals((long) Schedule.WAITING, rec.get("state after exregs"));
        assertTrue(((Outcome) rec.get("start")).ok());
        assertEquals(List.of("started with the SP set by ExchangeRegisters"), ran);
    }

    @Test
    void exchangeRegistersWithRAndSpIpStartsTheThreadWithoutAStartupMessage() {
        long[] id = new long[1];
        run(root -> {
            long sp = root.sp(l4 -> {
                ran.add("started sp=" + l4.startSp());
                long tag = l4.waitAny();                 // a later pager message is an ordinary one
                ran.add("got label " + MsgTag.label(tag) + " u=" + MsgTag.u(tag) + " words " + l4.mr(1) + "," + l4.mr(2));
            });
            id[0] = create(root, root.l4.myGlobalId(), 100);
            long r = root.l4.start(id[0], root.ip(), sp);
            rec.put("exregs", r == ThreadId.NIL ? "failed " + root.l4.errorCode() : "control " + root.l4.reg(0));
            root.sleep(100);
            rec.put("state", root.state(id[0]));
            root.l4.loadMsg(0x9, 0xDEAD, 0xBEEF);
            root.l4.send(id[0], Timeout.ZERO);
            rec.put("send", Outcome.of(root.l4));
            rec.put("sp", sp);
        });
        assertEquals("control " + ExRegs.WAS_RECEIVING, rec.get("exregs"), "the start-up wait is a receive");
        assertEquals((long) Schedule.WAITING, rec.get("state"));
        assertTrue(((Outcome) rec.get("send")).ok());
        assertEquals(List.of("started sp=" + rec.get("sp"), "got label 9 u=2 words " + 0xDEAD + "," + 0xBEEF), ran);
    }

    @Test
    void aNewSpacesFirstThreadIsStartedTheSameWay() {
        long[] id = new long[1];
        long[] rootId = new long[1];
        run(root -> {
            rootId[0] = root.l4.myGlobalId();
            id[0] = root.remote(l4 -> ran.add("ran in its own space, pager " + (l4.pager() == rootId[0])));
        });
        assertEquals(List.of("ran in its own space, pager true"), ran);
    }
}
