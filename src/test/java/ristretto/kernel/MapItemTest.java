package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.MEM;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.MapItem;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.kernel.mem.MappingDbChecker;
import ristretto.kernel.mem.MappingNode;
import ristretto.kernel.mem.Space;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.Threads;

/**
 * Map and grant items in IPC (§4.2, §4.5): placement into larger and smaller windows, rights,
 * grant, what is skipped silently, and a missing window. The root task (whose region is mapped
 * 1:1 from sigma0) sends; a client in a new space receives with a window and has no pager, so
 * nothing but the items maps anything.
 */
class MapItemTest {
    static final long SRC = MEM + 0x10_0000;             // in the root task's region
    static final long W = 0x4000_0000L;

    record Placed(Harness h, Space client, Space root, List<String> log) {
        long frameAt(long va) {
            MappingNode n = client.mapping(va >>> 12);
            return n == null ? -1 : n.frame();
        }

        int rightsAt(long va) { return client.mapping(va >>> 12).rights(); }
    }

    /** The client sets {@code window} and receives from the root task, which loads a message with {@code load} and sends it. */
    static Placed place(long window, Consumer<L4> load) {
        Scenario s = new Scenario();
        long[] client = new long[1];
        s.entry("client", l4 -> {
            l4.setPager(ThreadId.NIL);
            l4.setReceiveWindow(window);
            long tag = l4.waitAny();
            s.log.add(L4.failed(tag) ? "client: " + IpcError.toString(l4.errorCode())
                    : "client: u=" + MsgTag.u(tag) + " t=" + MsgTag.t(tag) + " mr1=" + Long.toHexString(l4.mr(1)));
        });
        s.main(l4 -> {
            client[0] = new Threads(l4).inNewSpace(s.ip("client"), 0);
            load.accept(l4);
            long tag = l4.send(client[0]);
            if (L4.failed(tag)) s.log.add("root: " + IpcError.toString(l4.errorCode()));
        });
        Harness h = s.run();
        MappingDbChecker.check(h.kernel());
        Kernel k = h.kernel();
        return new Placed(h, k.threads.lookupGlobal(client[0]).space, k.threads.lookupGlobal(k.rootTaskId()).space, s.log);
    }

    @Test
    void aPageIntoAWindowOfItsSize() {
        Placed p = place(Fpage.log2(W, 12), l4 -> l4.loadMapItem(Fpage.log2(SRC, 12, Fpage.RWX), 0));
        assertEquals(List.of("client: u=0 t=2 mr1=8"), p.log);
        assertEquals(SRC, p.frameAt(W));
        assertEquals(1, p.client.mappingCount());
    }

    @Test
    void aSmallerFpageLandsWhereTheSendBaseSaysInsideALargerWindow() {
        Placed p = place(Fpage.log2(W, 16), l4 -> l4.loadMapItem(Fpage.log2(SRC, 12, Fpage.RWX), 0x1234_3000L));
        assertEquals(SRC, p.frameAt(W + 0x3000), "b mod 2^16 = 0x3000");
        assertEquals(1, p.client.mappingCount());
    }

    @Test
    void aLargerFpageGivesTheChunkTheSendBaseSelectsToASmallerWindow() {
        Placed p = place(Fpage.log2(W, 12), l4 -> l4.loadMapItem(Fpage.log2(SRC, 16, Fpage.RWX), 0x5000));
        assertEquals(SRC + 0x5000, p.frameAt(W));
        assertEquals(1, p.client.mappingCount());
        Placed q = place(Fpage.log2(W, 14), l4 -> l4.loadMapItem(Fpage.log2(SRC, 16, Fpage.RWX), 0x9000));
        assertEquals(SRC + 0x8000, q.frameAt(W), "the 2^14 chunk holding offset 0x9000");
        assertEquals(SRC + 0xB000, q.frameAt(W + 0x3000));
        assertEquals(4, q.client.mappingCount());
    }

    @Test
    void theWholeSpaceAsWindowPlacesAtTheSendBaseAlignedToTheFpage() {
        Placed p = place(Fpage.COMPLETE, l4 -> l4.loadMapItem(Fpage.log2(SRC, 16, Fpage.RWX), 0x7770_9000L));
        assertEquals(SRC, p.frameAt(0x7770_0000L));
        assertEquals(SRC + 0xF000, p.frameAt(0x7770_F000L));
        assertEquals(16, p.client.mappingCount());
    }

    @Test
    void rightsAreTheItemsAndTheSendersBoth() {
        Placed p = place(Fpage.COMPLETE, l4 -> l4.loadMapItem(Fpage.log2(SRC, 12, Fpage.R), W));
        assertEquals(Fpage.R, p.rightsAt(W));
        Placed q = place(Fpage.COMPLETE, l4 -> {
            l4.setPager(ThreadId.NIL);
            l4.flush(Fpage.log2(SRC, 12, Fpage.W | Fpage.X));     // the root keeps only R
            l4.loadMapItem(Fpage.log2(SRC, 12, Fpage.RWX), W);
        });
        assertEquals(Fpage.R, q.rightsAt(W), "a mapper never extends its own rights");
    }

    @Test
    void grantMovesTheMappingOutOfTheSendersSpace() {
        Placed p = place(Fpage.COMPLETE, l4 -> l4.loadGrantItem(Fpage.log2(SRC, 13, Fpage.RWX), W));
        assertEquals(SRC, p.frameAt(W));
        assertEquals(SRC + 0x1000, p.frameAt(W + 0x1000));
        assertNull(p.root.mapping(SRC >>> 12), "granted away");
        assertTrue(p.client.mapping(W >>> 12).parent().isRoot(), "the granted node takes the root task's place under sigma0");
    }

    @Test
    void grantingALargerFpageThanTheWindowFlushesAllOfIt() {
        Placed p = place(Fpage.log2(W, 12), l4 -> l4.loadGrantItem(Fpage.log2(SRC, 14, Fpage.RWX), 0x1000));
        assertEquals(SRC + 0x1000, p.frameAt(W));
        for (int i = 0; i < 4; i++) assertNull(p.root.mapping((SRC >>> 12) + i), "page " + i + " left the sender");
    }

    @Test
    void noWindowIsAMessageOverflowForBothSides() {
        Placed p = place(MapItem.NO_WINDOW, l4 -> l4.loadMapItem(Fpage.log2(SRC, 12, Fpage.RWX), 0));
        assertEquals(List.of("root: send phase, message overflow", "client: receive phase, message overflow"), p.log);
        assertEquals(0, p.client.mappingCount());
    }

    @Test
    void aCutOffOrUndefinedItemIsAMessageOverflow() {
        Placed p = place(Fpage.COMPLETE, l4 -> {
            l4.setMr(0, MsgTag.make(0, 0, 1));
            l4.setMr(1, MapItem.mapWord(0));
        });
        assertEquals(List.of("root: send phase, message overflow", "client: receive phase, message overflow"), p.log);
        Placed q = place(Fpage.COMPLETE, l4 -> {
            l4.setMr(0, MsgTag.make(0, 0, 2));
            l4.setMr(1, 0xE);                                    // type 111b: undefined
            l4.setMr(2, Fpage.log2(SRC, 12, Fpage.RWX));
        });
        assertEquals(List.of("root: send phase, message overflow", "client: receive phase, message overflow"), q.log);
    }

    @Test
    void itemsFollowUntypedWordsAndSeveralTravelInOneMessage() {
        Placed p = place(Fpage.COMPLETE, l4 -> {
            l4.setMr(0, MsgTag.make(0, 1, 4));
            l4.setMr(1, 0xABC);
            l4.setMr(2, MapItem.mapWord(W));
            l4.setMr(3, Fpage.log2(SRC, 12, Fpage.RWX));
            l4.setMr(4, MapItem.mapWord(W + 0x10000));
            l4.setMr(5, Fpage.log2(SRC + 0x1000, 12, Fpage.R));
        });
        assertEquals(List.of("client: u=1 t=4 mr1=abc"), p.log);
        assertEquals(SRC, p.frameAt(W));
        assertEquals(SRC + 0x1000, p.frameAt(W + 0x10000));
    }

    @Test
    void whatCannotBeMappedIsSkippedSilently() {
        // Memory the sender does not have, a fpage below the page size, and the receiver's KIP and UTCB areas.
        Placed p = place(Fpage.COMPLETE, l4 -> {
            l4.setMr(0, MsgTag.make(0, 0, 8));
            l4.setMr(1, MapItem.mapWord(W));
            l4.setMr(2, Fpage.log2(0x6000_0000L, 12, Fpage.RWX));
            l4.setMr(3, MapItem.mapWord(W));
            l4.setMr(4, Fpage.log2(SRC, 10, Fpage.RWX));
            l4.setMr(5, MapItem.mapWord(Scenario.ROOT_KIP));
            l4.setMr(6, Fpage.log2(SRC, 12, Fpage.RWX));
            l4.setMr(7, MapItem.mapWord(Scenario.NEW_UTCB_BASE));
            l4.setMr(8, Fpage.log2(SRC, 12, Fpage.RWX));
        });
        assertEquals(List.of("client: u=0 t=8 mr1=40000008"), p.log);
        assertEquals(0, p.client.mappingCount());
        assertEquals(p.h.kernel().kipFrame, ristretto.machine.Pte.frame(p.client.pageTable.lookup(Scenario.ROOT_KIP >>> 12)));
    }

    /** A space's mappings leave the database with it, and so does what other spaces derived from them. */
    @Test
    void deletingASpaceRemovesItsMappingsAndWhatDerivesFromThem() {
        Scenario s = new Scenario();
        long[] ids = new long[2];
        s.entry("a", l4 -> {
            l4.setReceiveWindow(Fpage.COMPLETE);
            l4.waitAny();                                        // the root task's page
            l4.loadMapItem(Fpage.log2(W, 12, Fpage.R | Fpage.W), W);
            l4.send(ids[1]);                                     // passed on to b
            l4.waitAny();
        });
        s.entry("b", l4 -> {
            l4.setReceiveWindow(Fpage.COMPLETE);
            l4.waitAny();
            s.log.add("b has " + l4.load(W));
            l4.waitAny();
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            ids[0] = threads.inNewSpace(s.ip("a"), 0);
            ids[1] = threads.inNewSpace(s.ip("b"), 0);
            l4.store(SRC, 7);
            l4.loadMapItem(Fpage.log2(SRC, 12, Fpage.RWX), W);
            l4.send(ids[0]);
            l4.sleepMicros(1000);
            s.log.add("kill a " + threads.kill(ids[0]));
        });
        Harness h = s.run();
        assertEquals(List.of("b has 7", "kill a true"), s.log);
        Kernel k = h.kernel();
        assertNull(k.threads.lookupGlobal(ids[1]).space.mapping(W >>> 12), "b's page derived from a's");
        assertNull(k.threads.lookupGlobal(k.rootTaskId()).space.mapping(SRC >>> 12).firstChild());
        MappingDbChecker.check(k);
    }
}
