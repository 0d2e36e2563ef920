package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.Fpage;
import ristretto.abi.Kip;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.user.L4;

/** SpaceControl (§11.2): privilege, the KIP and UTCB areas of a new space, and the redirector. */
class SpaceControlTest {

    private static final long NIL = ThreadId.NIL;

    /** SpaceControl on a fresh inactive thread's space; answers the outcome. */
    private static String init(L4 l4, long t, long kipArea, long utcbArea) {
        long me = l4.myGlobalId();
        if (!l4.threadControl(t, t, me, NIL, -1)) return "create failed";
        String r = outcome(l4, l4.spaceControl(t, 0, kipArea, utcbArea, NIL));
        kill(l4, t);
        return r;
    }

    @Test
    void anUnprivilegedCallerHasNoPrivilege() {
        Scenario s = new Scenario();
        long[] ids = new long[1];
        s.entry("unprivileged", l4 -> {
            s.log.add("own space " + outcome(l4, l4.spaceControl(l4.myGlobalId(), 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
            s.log.add("other space " + outcome(l4, l4.spaceControl(ids[0], 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
            s.log.add("control' " + l4.reg(UserCpu.R_CONTROL));
        });
        s.main(l4 -> {
            ids[0] = id(l4, 2);
            l4.threadControl(ids[0], ids[0], l4.myGlobalId(), NIL, -1);
            startInNewSpace(l4, id(l4, 1), s.ip("unprivileged"));
            l4.sleepMicros(1000);
            s.log.add("still uninitialised " + outcome(l4, l4.threadControl(ids[0], ids[0], NIL, l4.myGlobalId(), NEW_UTCB_BASE)));
        });
        s.run();
        assertEquals(List.of("own space no privilege", "other space no privilege", "control' 0", "still uninitialised invalid space"), s.log);
    }

    @Test
    void aSpaceSpecifierThatIsNoValidGlobalIdIsInvalidSpace() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId();
            s.log.add("nil " + outcome(l4, l4.spaceControl(NIL, 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
            s.log.add("non-existing " + outcome(l4, l4.spaceControl(id(l4, 1), 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
            s.log.add("stale " + outcome(l4, l4.spaceControl(ThreadId.global(ThreadId.number(me), 3), 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
            s.log.add("local " + outcome(l4, l4.spaceControl(l4.myLocalId(), 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
            s.log.add("anythread " + outcome(l4, l4.spaceControl(ThreadId.ANY, 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
        });
        s.run();
        assertEquals(List.of("nil invalid space", "non-existing invalid space", "stale invalid space", "local invalid space",
                "anythread invalid space"), s.log);
    }

    @Test
    void badUtcbAreasAreUtcbAreaErrors() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long t = id(l4, 1);
            s.log.add("nil " + init(l4, t, NEW_KIP_AREA, Fpage.NIL));
            s.log.add("one UTCB, smaller than the minimum " + init(l4, t, NEW_KIP_AREA, Fpage.log2(NEW_UTCB_BASE, 10)));
            s.log.add("2^11 " + init(l4, t, NEW_KIP_AREA, Fpage.log2(NEW_UTCB_BASE, 11)));
            s.log.add("beyond 48 bits " + init(l4, t, NEW_KIP_AREA, Fpage.log2(1L << 48, 12)));
            s.log.add("2^50 " + init(l4, t, NEW_KIP_AREA, Fpage.log2(0, 50)));
            s.log.add("the top 2 MiB below 2^48 " + init(l4, t, NEW_KIP_AREA, Fpage.log2((1L << 48) - (1L << 21), 21)));
            s.log.add("the whole space " + init(l4, t, NEW_KIP_AREA, Fpage.log2(0, 48)));
            s.log.add("over the code image " + init(l4, t, NEW_KIP_AREA, Fpage.log2(0x100000, 12)));
            s.log.add("covering the code image " + init(l4, t, NEW_KIP_AREA, Fpage.log2(0, 24)));
            s.log.add("the minimum 2^12 " + init(l4, t, NEW_KIP_AREA, Fpage.log2(NEW_UTCB_BASE, 12)));
        });
        s.run();
        String err = "invalid UTCB area";
        assertEquals(List.of("nil " + err, "one UTCB, smaller than the minimum " + err, "2^11 " + err, "beyond 48 bits " + err,
                "2^50 " + err, "the top 2 MiB below 2^48 ok", "the whole space " + err, "over the code image " + err, "covering the code image " + err,
                "the minimum 2^12 ok"), s.log);
    }

    @Test
    void badKipAreasAreKipAreaErrors() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long t = id(l4, 1);
            s.log.add("nil " + init(l4, t, Fpage.NIL, NEW_UTCB_AREA));
            s.log.add("2^11 " + init(l4, t, Fpage.log2(ROOT_KIP, 11), NEW_UTCB_AREA));
            s.log.add("inside the UTCB area " + init(l4, t, Fpage.log2(NEW_UTCB_BASE + 0x8000, 12), NEW_UTCB_AREA));
            s.log.add("covering the UTCB area " + init(l4, t, Fpage.log2(0, 40), NEW_UTCB_AREA));
            s.log.add("beyond 48 bits " + init(l4, t, Fpage.log2(1L << 48, 12), NEW_UTCB_AREA));
            s.log.add("over the code image " + init(l4, t, Fpage.log2(0x100000, 12), NEW_UTCB_AREA));
            s.log.add("just below the UTCB area " + init(l4, t, Fpage.log2(NEW_UTCB_BASE - 4096, 12), NEW_UTCB_AREA));
            s.log.add("bad UTCB area reported first " + init(l4, t, Fpage.NIL, Fpage.NIL));
        });
        s.run();
        String err = "invalid KIP area";
        assertEquals(List.of("nil " + err, "2^11 " + err, "inside the UTCB area " + err, "covering the UTCB area " + err,
                "beyond 48 bits " + err, "over the code image " + err, "just below the UTCB area ok",
                "bad UTCB area reported first invalid UTCB area"), s.log);
    }

    @Test
    void aFailedSpaceControlLeavesTheSpaceUninitialised() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1);
            l4.threadControl(t, t, me, NIL, -1);
            s.log.add("bad " + outcome(l4, l4.spaceControl(t, 0, Fpage.log2(NEW_UTCB_BASE, 12), NEW_UTCB_AREA, NIL)));
            s.log.add("activate " + outcome(l4, l4.threadControl(t, t, NIL, me, NEW_UTCB_BASE)));
            s.log.add("good " + outcome(l4, l4.spaceControl(t, 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
            s.log.add("activate " + outcome(l4, l4.threadControl(t, t, NIL, me, NEW_UTCB_BASE)));
        });
        s.run();
        assertEquals(List.of("bad invalid KIP area", "activate invalid space", "good ok", "activate ok"), s.log);
    }

    @Test
    void theAreasAreFixedOnceInitialisedAndLaterOnesIgnored() {
        Scenario s = new Scenario();
        long kipAt = 0x7000_0000L, utcbAt = 0x20_0000_0000L;
        s.entry("probe", l4 -> {
            long kip = l4.kernelInterface();
            s.log.add("kip at 0x" + Long.toHexString(kip) + " magic ok " + ((l4.load(kip) & 0xFFFF_FFFFL) == Kip.MAGIC));
            s.log.add("utcb at 0x" + Long.toHexString(l4.myLocalId() - Utcb.MR0_OFFSET));
        });
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1), u = id(l4, 2);
            l4.threadControl(t, t, me, NIL, -1);
            s.log.add("init " + outcome(l4, l4.spaceControl(t, 0, Fpage.log2(kipAt, 12), Fpage.log2(utcbAt, 16), NIL)));
            s.log.add("again, other areas " + outcome(l4, l4.spaceControl(t, 0, NEW_KIP_AREA, NEW_UTCB_AREA, NIL)));
            s.log.add("again, invalid areas " + outcome(l4, l4.spaceControl(t, 0, Fpage.NIL, Fpage.NIL, NIL)));
            s.log.add("root's own space " + outcome(l4, l4.spaceControl(me, 0, Fpage.NIL, Fpage.NIL, NIL)));
            s.log.add("activate in the ignored area " + outcome(l4, l4.threadControl(t, t, NIL, me, NEW_UTCB_BASE)));
            s.log.add("activate in the first area " + outcome(l4, l4.threadControl(t, t, NIL, me, utcbAt)));
            s.log.add("second thread past its end " + outcome(l4, l4.threadControl(u, t, me, me, utcbAt + (1 << 16))));
            s.log.add("second thread at its last slot " + outcome(l4, l4.threadControl(u, t, me, me, utcbAt + (1 << 16) - Utcb.SIZE)));
            l4.startThread(t, s.ip("probe"), 0);
            l4.sleepMicros(1000);
            s.log.add("my KIP unchanged 0x" + Long.toHexString(l4.kernelInterface()));
        });
        s.run();
        assertEquals(List.of("init ok", "again, other areas ok", "again, invalid areas ok", "root's own space ok",
                "activate in the ignored area invalid UTCB area", "activate in the first area ok",
                "second thread past its end invalid UTCB area", "second thread at its last slot ok",
                "kip at 0x70000000 magic ok true", "utcb at 0x2000000000", "my KIP unchanged 0xfffff000"), s.log);
    }

    @Test
    void controlIsZeroOnThisMachine() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long t = id(l4, 1);
            l4.threadControl(t, t, l4.myGlobalId(), NIL, -1);
            l4.spaceControl(t, 0xFFFF, NEW_KIP_AREA, NEW_UTCB_AREA, NIL);
            s.log.add("control' " + l4.reg(UserCpu.R_CONTROL));
        });
        s.run();
        assertEquals(List.of("control' 0"), s.log);
    }

    @Test
    void anInvalidRedirectorIsAnInvalidThreadAndChangesNothing() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long me = l4.myGlobalId(), t = id(l4, 1);
            l4.threadControl(t, t, me, NIL, -1);
            s.log.add("non-existing " + outcome(l4, l4.spaceControl(t, 0, NEW_KIP_AREA, NEW_UTCB_AREA, id(l4, 5))));
            s.log.add("still uninitialised " + outcome(l4, l4.threadControl(t, t, NIL, me, NEW_UTCB_BASE)));
            s.log.add("stale " + outcome(l4, l4.spaceControl(t, 0, NEW_KIP_AREA, NEW_UTCB_AREA, ThreadId.global(ThreadId.number(me), 9))));
            s.log.add("valid " + outcome(l4, l4.spaceControl(t, 0, NEW_KIP_AREA, NEW_UTCB_AREA, me)));
        });
        s.run();
        assertEquals(List.of("non-existing invalid thread", "still uninitialised invalid space", "stale invalid thread", "valid ok"), s.log);
    }

    /**
     * X in a new space sends four messages to the root; the space's redirector R (in the root's
     * space) is set at initialisation, left unchanged (nil), removed (anythread) and set again.
     */
    @Test
    void theRedirectorIsSetLeftUnchangedByNilAndRemovedByAnythread() {
        Scenario s = new Scenario();
        long[] root = new long[1];
        s.entry("x", l4 -> {
            for (int i = 1; i <= 4; i++) {
                l4.loadMsg(0, i);
                l4.send(root[0]);
                l4.receive(root[0]);                     // the root's go-ahead
            }
        });
        s.entry("redirector", l4 -> {
            while (true) {
                long tag = l4.waitAny();
                s.log.add("R got " + l4.mr(1) + (MsgTag.isRedirected(tag) ? " redirected, meant for " + ThreadId.toString(l4.intendedReceiver()) : ""));
            }
        });
        s.main(l4 -> {
            long me = l4.myGlobalId(), x = id(l4, 1), r = id(l4, 2);
            root[0] = me;
            startHere(l4, r, 2, s.ip("redirector"));
            l4.threadControl(x, x, me, NIL, -1);
            s.log.add("set " + outcome(l4, l4.spaceControl(x, 0, NEW_KIP_AREA, NEW_UTCB_AREA, r)));
            l4.threadControl(x, x, NIL, me, NEW_UTCB_BASE);
            l4.startThread(x, s.ip("x"), 0);
            l4.sleepMicros(1000);                        // 1 goes to R
            s.log.add("nil " + outcome(l4, l4.spaceControl(x, 0, 0, 0, NIL)));
            l4.loadMsg(0);
            l4.send(x);
            l4.sleepMicros(1000);                        // 2 goes to R
            s.log.add("anythread " + outcome(l4, l4.spaceControl(x, 0, 0, 0, ThreadId.ANY)));
            l4.loadMsg(0);
            l4.send(x);
            long tag = l4.receive(x, Timeout.period(1000));   // 3 comes to me
            s.log.add("root got " + (L4.failed(tag) ? "nothing" : l4.mr(1) + (MsgTag.isRedirected(tag) ? " redirected" : "")));
            s.log.add("set again " + outcome(l4, l4.spaceControl(x, 0, 0, 0, r)));
            l4.loadMsg(0);
            l4.send(x);
            l4.sleepMicros(1000);                        // 4 goes to R
        });
        s.run();
        assertEquals(List.of("set ok", "R got 1 redirected, meant for 66.1", "nil ok", "R got 2 redirected, meant for 66.1",
                "anythread ok", "root got 3", "set again ok", "R got 4 redirected, meant for 66.1"), s.log);
    }
}
