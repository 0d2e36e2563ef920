package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.thread.Tcb;
import ristretto.system.Harness;
import ristretto.system.Ristretto;
import ristretto.user.L4;

/**
 * Who owns a UTCB location is kernel state (§11.1, "UTCB location validity"): recorded when a
 * thread is activated, never read back from the UTCB, whose words — MyGlobalId included — the
 * thread itself can overwrite. A thread that writes 0, another thread's ID or junk over its
 * MyGlobalId keeps its location: activating or moving another thread there fails with "invalid
 * UTCB area", the attacker's local ID still names it, its IPC still carries its real ID, and the
 * kernel's invariants hold.
 */
class UtcbOwnershipTest {

    /** How the attacker overwrites its MyGlobalId word, and with what. */
    enum Attack {
        /** A user store through the MMU to the UTCB page (mapped read-write in its space). */
        STORE_ZERO, STORE_ROOT_ID, STORE_VICTIM_ID,
        /** A write to the UTCB segment its UserCpu hands it. */
        SEGMENT_ZERO, SEGMENT_JUNK;

        long value(long root, long victim) {
            return switch (this) {
                case STORE_ZERO, SEGMENT_ZERO -> 0;
                case STORE_ROOT_ID -> root;
                case STORE_VICTIM_ID -> victim;
                case SEGMENT_JUNK -> 0xDEAD_BEEF_0000_0001L;
            };
        }

        boolean throughMemory() { return name().startsWith("STORE"); }
    }

    private static final long T_LOCAL = rootUtcb(1) + Utcb.MR0_OFFSET;

    @ParameterizedTest
    @EnumSource(Attack.class)
    void aThreadThatOverwritesItsMyGlobalIdKeepsItsUtcbLocationAndItsIdentity(Attack attack) {
        List<String> log = new ArrayList<>(), attackerLog = new ArrayList<>();
        long[] ids = new long[3];                                   // attacker T, victim U, W of another space
        long[] rawIp = new long[1];
        Scenario s = new Scenario();
        s.entry("attacker", l4 -> {
            // The UTCB is at local ID - 512; MyGlobalId is a word below MR0.
            long myGlobalIdWord = l4.myLocalId() - Utcb.MR0_OFFSET + Utcb.MY_GLOBAL_ID;
            l4.store(myGlobalIdWord, attack.value(l4.pager(), ids[1]));
            attackerBody(l4, attackerLog);
        });
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), u = id(l4, 2), w = id(l4, 3);
            ids[0] = t;
            ids[1] = u;
            ids[2] = w;
            createHere(l4, t, 1);
            l4.startThread(t, attack.throughMemory() ? s.ip("attacker") : rawIp[0], 0);
            l4.sleepMicros(50);                                     // the attacker has written and waits
            log.add("create U active at T's location: " + outcome(l4, createHere(l4, u, 1)));
            log.add("create U inactive at T's location: " + outcome(l4, l4.threadControl(u, me, me, ThreadId.NIL, rootUtcb(1))));
            log.add("U not created: " + Schedule.resultName(l4.threadState(u)));
            log.add("create U inactive: " + outcome(l4, l4.threadControl(u, me, me, ThreadId.NIL, -1)));
            log.add("activate U at T's location: " + outcome(l4, l4.threadControl(u, me, ThreadId.NIL, me, rootUtcb(1))));
            createInNewSpace(l4, w);
            log.add("move W of another space to T's location: " + outcome(l4, l4.threadControl(w, me, ThreadId.NIL, ThreadId.NIL, rootUtcb(1))));
            log.add("T's local ID names T: " + (l4.globalIdOf(T_LOCAL) == t));
            log.add("T's global ID gives T's local ID: " + (l4.localIdOf(t) == T_LOCAL));
            log.add("T is waiting: " + Schedule.resultName(l4.threadState(t)));
            l4.loadMsg(0x77);
            l4.send(T_LOCAL);
            log.add("send to T's local ID: " + (l4.ipcFailed() ? "error " + l4.errorCode() : "ok"));
            l4.receive(t);
            log.add("T's message comes from T's local ID: " + (!l4.ipcFailed() && l4.from() == T_LOCAL) + ", label " + Long.toHexString(ristretto.abi.MsgTag.label(l4.mr(0))));
            log.add("activate U elsewhere: " + outcome(l4, l4.threadControl(u, me, ThreadId.NIL, me, rootUtcb(3))));
            log.add("U's local ID is its own: " + (l4.localIdOf(u) == rootUtcb(3) + Utcb.MR0_OFFSET));
            log.add("my local ID is mine: " + (l4.localIdOf(me) == rootUtcb(0) + Utcb.MR0_OFFSET));
        });
        Ristretto sys = Ristretto.boot(MACHINE, Harness.testOptions(), s);
        rawIp[0] = sys.kernel().registerEntry("raw-attacker", (cpu, ip, sp) -> {
            L4 l4 = new L4(cpu, ip, sp);
            cpu.utcb().set(ValueLayout.JAVA_LONG_UNALIGNED, Utcb.MY_GLOBAL_ID, attack.value(l4.pager(), ids[1]));
            attackerBody(l4, attackerLog);
        });
        List<String> console = new ArrayList<>();
        sys.kernel().setConsole(console::add);
        String halt = sys.run();

        assertEquals(List.of(
                "create U active at T's location: invalid UTCB area",
                "create U inactive at T's location: invalid UTCB area",
                "U not created: error",
                "create U inactive: ok",
                "activate U at T's location: invalid UTCB area",
                "move W of another space to T's location: invalid UTCB area",
                "T's local ID names T: true",
                "T's global ID gives T's local ID: true",
                "T is waiting: waiting",
                "send to T's local ID: ok",
                "T's message comes from T's local ID: true, label 78",
                "activate U elsewhere: ok",
                "U's local ID is its own: true",
                "my local ID is mine: true"), log);
        long root = sys.kernel().rootTaskId();
        assertEquals(List.of("wrote " + Long.toHexString(attack.value(root, ids[1])), "got 77 from root's local ID: true"), attackerLog);

        assertEquals(List.of(), console);
        assertEquals("no runnable thread and nothing left to wake", halt);
        Kernel k = sys.kernel();
        Tcb t = k.threads.lookupGlobal(ids[0]);
        assertNotNull(t, "the attacker still lives under its ID");
        assertSame(t, t.space.utcbOwner(rootUtcb(1)));
        assertEquals(ids[1], k.threads.lookupGlobal(ids[1]).globalId);
        assertEquals(List.of(), k.invariantViolations());
    }

    /** After the overwrite: wait for the root's message, then send one back to the pager. */
    private static void attackerBody(L4 l4, List<String> log) {
        log.add("wrote " + Long.toHexString(l4.myGlobalId()));
        l4.waitAny();
        log.add("got " + Long.toHexString(ristretto.abi.MsgTag.label(l4.mr(0))) + " from root's local ID: " + (l4.from() == rootUtcb(0) + Utcb.MR0_OFFSET));
        l4.loadMsg(0x78);
        l4.send(l4.pager());
    }
}
