package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.MEM;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.ExRegs;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.kernel.mem.MappingDbChecker;
import ristretto.kernel.mem.MappingNode;
import ristretto.kernel.mem.Space;
import ristretto.machine.PhysicalMemory;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.PagePool;
import ristretto.user.Pager;
import ristretto.user.Sigma0Client;
import ristretto.user.Threads;

/**
 * Page-fault IPC (§13.1): a user access that misses or lacks rights makes the kernel send the
 * thread's pager the fault message; the pager's map item resolves it and the access is retried.
 * Pager chains, the l4test rows "Page touch" and "Pagefault cancelled", and the sigma0 rows.
 */
class PageFaultTest {
    static final long PAGE = PhysicalMemory.PAGE_SIZE;
    /** Where the root task's pagers take the pages they hand out: the upper half of its region. */
    static final long POOL = MEM + (8L << 20);

    private static long faults(Harness h, long thread) {
        return h.kernel().trace().events().stream().filter(e -> e.kind().equals("page-fault") && e.a() == thread).count();
    }

    @Test
    void aPagerMapsTheFaultingPageAndTheAccessIsRetried() {
        Scenario s = new Scenario();
        long[] client = new long[1];
        s.entry("client", l4 -> {
            l4.store(0x4000_0000L, 42);                           // faults: the pager maps a page
            l4.store(0x4000_0008L, 43);                           // same page: no fault
            s.log.add("read " + l4.load(0x4000_0000L) + " " + l4.load(0x4000_0008L));
            s.log.add("unmapped neighbour reads " + l4.load(0x4000_1000L));   // a second fault, a fresh zeroed page
        });
        s.main(l4 -> {
            client[0] = new Threads(l4).inNewSpace(s.ip("client"), 0);
            Pager.serve(l4, Pager.anonymous(new PagePool(POOL, 1 << 20), Fpage.RWX));
        });
        Harness h = s.run();
        assertEquals(List.of("read 42 43", "unmapped neighbour reads 0"), s.log);
        assertEquals(2, faults(h, client[0]));
        Space cs = h.kernel().threads.lookupGlobal(client[0]).space;
        MappingNode n = cs.mapping(0x4000_0000L >>> 12);
        assertEquals(POOL, n.frame(), "the first pool page, 1:1 in the root task");
        assertEquals(h.kernel().rootTaskId(), rootOf(h, n.parent()));
        MappingDbChecker.check(h.kernel());
    }

    private static long rootOf(Harness h, MappingNode n) {
        long[] id = {0};
        h.kernel().threads.forEach(t -> { if (t.space == n.space()) id[0] = t.globalId; });
        return id[0];
    }

    /**
     * Root task → pager → client: the pager's pool pages come from the root task by its own
     * faults; a flush by the root task revokes the client's page too, and the client's next
     * access faults through the whole chain again and finds its data (the frame is the same).
     */
    @Test
    void faultsRoundTripThroughATwoLevelPagerChain() {
        for (boolean tracing : new boolean[] {true, false}) {
            Scenario s = new Scenario();
            long[] ids = new long[3];
            long pagerPool = 0x2000_0000L;
            s.entry("pager", l4 -> Pager.serve(l4, Pager.anonymous(new PagePool(pagerPool, 1 << 20), Fpage.RWX)));
            s.entry("client", l4 -> {
                l4.setPager(ids[0]);
                for (int i = 0; i < 8; i++) l4.store(0x5000_0000L + i * PAGE, 100 + i);
                long sum = 0;
                for (int i = 0; i < 8; i++) sum += l4.load(0x5000_0000L + i * PAGE);
                s.log.add("sum " + sum);
                l4.loadMsg(0);
                l4.call(ids[2]);                                  // tell the root task, wait for its flush
                s.log.add("after the flush " + l4.load(0x5000_0000L));
            });
            s.main(l4 -> {
                Threads threads = new Threads(l4);
                ids[2] = l4.myGlobalId();
                ids[0] = threads.inNewSpace(s.ip("pager"), 0);
                ids[1] = threads.inNewSpace(s.ip("client"), 0);
                PagePool pool = new PagePool(POOL, 1 << 20);
                Pager.Policy policy = Pager.anonymous(pool, Fpage.RWX);
                long tag = l4.waitAny();
                while (true) {
                    long from = l4.from();
                    if (from == ids[1]) {                          // the client is done: revoke from the root down
                        s.log.add("flush status " + Fpage.rights(l4.flush(Fpage.log2(POOL, 20, Fpage.RWX))));
                        l4.loadMsg(0);
                        tag = l4.replyWait(from);
                        continue;
                    }
                    if (Pager.isPageFault(tag)) {
                        l4.loadMapItem(policy.resolve(l4, from, l4.mr(1), Pager.access(tag)), l4.mr(1));
                        tag = l4.replyWait(from);
                    } else tag = l4.waitAny();
                }
            });
            Harness h = s.run(Harness.testOptions().withTracing(tracing));
            assertEquals(List.of("sum " + (8 * 100 + 28), "flush status " + (Fpage.R | Fpage.W), "after the flush 100"), s.log);
            if (tracing) {
                assertEquals(8 + 1, faults(h, ids[1]), "8 first touches, one after the flush");
                assertEquals(8 + 1, faults(h, ids[0]), "the pager's 8 pool pages, and the first again after the flush");
            }
            MappingDbChecker.check(h.kernel());
        }
    }

    /**
     * l4test "Pagefault cancelled": the pager does not answer; ExchangeRegisters aborts the fault
     * IPC; the thread's 64 MRs are as before the fault and the access faults again, and the
     * second fault is answered.
     */
    @Test
    void pagefaultCancelledRestoresAllMrsAndFaultsAgain() {
        Scenario s = new Scenario();
        long[] client = new long[1];
        s.entry("client", l4 -> {
            for (int i = 0; i < 64; i++) l4.setMr(i, 0x1000 + i);
            l4.setBr(0, 0x777);
            long v = l4.load(0x4000_0000L);
            boolean intact = true;
            for (int i = 0; i < 64; i++) intact &= l4.mr(i) == 0x1000 + i;
            s.log.add("loaded " + v + ", MRs intact " + intact + ", BR0 " + Long.toHexString(l4.br(0)));
        });
        s.main(l4 -> {
            client[0] = new Threads(l4).inMySpace(s.ip("client"), 0);   // ExchangeRegisters needs the same space
            long tag = l4.receive(client[0]);
            s.log.add("fault " + Pager.isPageFault(tag) + " at " + Long.toHexString(l4.mr(1)) + " access " + Pager.access(tag));
            l4.exchangeRegisters(client[0], ExRegs.CANCEL_RECV | ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);
            tag = l4.receive(client[0]);
            s.log.add("again " + Pager.isPageFault(tag));
            l4.store(POOL, 99);
            l4.loadMapItem(Fpage.log2(POOL, 12, Fpage.RWX), l4.mr(1));
            l4.send(client[0]);
            l4.sleepMicros(1000);
        });
        Harness h = s.run();
        assertEquals(List.of("fault true at 40000000 access 4", "again true", "loaded 99, MRs intact true, BR0 777"), s.log);
        assertEquals(2, faults(h, client[0]));
    }

    /** A pager's long reply (40 words, no mapping) overwrites nothing the faulting thread sees; it faults again. */
    @Test
    void aLongReplyLeavesTheFaultingThreadsMrsAlone() {
        for (boolean fast : new boolean[] {true, false}) {
            Scenario s = new Scenario();
            long[] client = new long[1];
            s.entry("client", l4 -> {
                for (int i = 0; i < 64; i++) l4.setMr(i, 0x2000 + i);
                long v = l4.load(0x4000_0000L);
                boolean intact = true;
                for (int i = 0; i < 64; i++) intact &= l4.mr(i) == 0x2000 + i;
                s.log.add("loaded " + v + ", MRs intact " + intact);
            });
            s.main(l4 -> {
                client[0] = new Threads(l4).inMySpace(s.ip("client"), 0);
                l4.receive(client[0]);
                long[] words = new long[40];
                java.util.Arrays.fill(words, -1);
                l4.loadMsg(0, words);
                long tag = l4.call(client[0]);                    // no mapping: it faults again, which is our answer
                s.log.add("again " + Pager.isPageFault(tag));
                l4.store(POOL, 5);
                l4.loadMapItem(Fpage.log2(POOL, 12, Fpage.RWX), l4.mr(1));
                l4.send(client[0]);
                l4.sleepMicros(1000);
            });
            s.run(Harness.testOptions().withFastPath(fast));
            assertEquals(List.of("again true", "loaded 5, MRs intact true"), s.log, "fast path " + fast);
        }
    }

    /** l4test "Page touch": one word into each of 1000 fresh pages, faults resolved by sigma0. */
    @Test
    void pageTouchThroughSigma0() {
        Scenario s = new Scenario();
        long base = MEM + (16L << 20);                               // above the root task's region
        s.main(l4 -> {
            for (int i = 0; i < 1000; i++) l4.store(base + i * PAGE, i);
            long sum = 0;
            for (int i = 0; i < 1000; i++) sum += l4.load(base + i * PAGE);
            s.log.add("sum " + sum);
        });
        Harness h = s.run();
        assertEquals(List.of("sum " + 999 * 1000 / 2), s.log);
        assertEquals(1000, faults(h, h.kernel().rootTaskId()));
        MappingDbChecker.check(h.kernel());
    }

    /** A fault sigma0 cannot serve (no such memory) gets no reply: the thread stays in its fault, which the report shows. */
    @Test
    void aFaultSigma0CannotServeLeavesTheThreadInItsFault() {
        Scenario s = new Scenario();
        s.main(l4 -> l4.load(0x40_0000_0000L));
        Harness h = s.run();
        ThreadReport root = h.kernel().threadReports().stream().filter(r -> r.globalId() == h.kernel().rootTaskId()).findFirst().orElseThrow();
        assertEquals("page fault: read at 0x4000000000", root.fault());
        assertEquals(h.kernel().sigma0Id(), root.partner());
    }

    @Test
    void aThreadWhosePagerDoesNotExistStopsWithAReport() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            l4.setPager(ThreadId.global(5000, 1));
            l4.load(0x40_0000_0000L);
        });
        Harness h = s.run();
        String why = h.kernel().stopReason(h.kernel().rootTaskId());
        assertEquals("page fault: read at 0x4000000000 is not mapped, and its pager 5000.1 does not exist", why);
    }

    /**
     * The fault IPC ends like any other when a partner goes: the pager deleted while its client
     * waits for the reply (the client faults again, finds no pager and stops), and the faulting
     * thread deleted while its pager holds the fault (the pager's reply finds no partner).
     */
    @Test
    void deletionOfEitherSideEndsTheFaultIpc() {
        Scenario s = new Scenario();
        long[] ids = new long[2];
        s.entry("silent pager", l4 -> {
            l4.waitAny();
            l4.receive(l4.myGlobalId());                          // holds the fault, never answers
        });
        s.entry("client", l4 -> {
            l4.setPager(ids[0]);
            l4.load(0x4000_0000L);
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            ids[0] = threads.inMySpace(s.ip("silent pager"), 0);
            ids[1] = threads.inMySpace(s.ip("client"), 0);
            l4.sleepMicros(100);
            s.log.add("client in its fault: " + ristretto.abi.Schedule.resultName(l4.threadState(ids[1])));
            threads.kill(ids[0]);
            l4.sleepMicros(100);
            long faulter = threads.inMySpace(s.ip("client"), 0);      // a second client, whose pager is the root task
            ids[0] = l4.myGlobalId();
            long tag = l4.receive(faulter);
            s.log.add("fault from the second client " + Pager.isPageFault(tag));
            threads.kill(faulter);
            l4.loadMapItem(Fpage.log2(POOL, 12, Fpage.RWX), l4.mr(1));
            tag = l4.send(faulter, Timeout.ZERO);
            s.log.add("reply to the deleted client: " + IpcError.name(l4.ipcError()));
        });
        Harness h = s.run();
        assertEquals("client in its fault: " + ristretto.abi.Schedule.resultName(ristretto.abi.Schedule.WAITING), s.log.get(0));
        assertEquals(List.of("fault from the second client true", "reply to the deleted client: non-existing partner"), s.log.subList(1, 3));
        String why = h.kernel().stopReason(ids[1]);
        assertTrue(why.endsWith("and its pager " + ThreadId.toString(ThreadId.global(ThreadId.number(h.kernel().rootTaskId()) + 1, 1))
                + " does not exist"), why);
        MappingDbChecker.check(h.kernel());
    }

    // ------------------------------------------------------------------- sigma0 (§14, §16.8)

    @Test
    void sigma0Rows() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            long sigma0 = Sigma0Client.sigma0(l4);
            // "Sigma0 memory request": a complete-space acceptor yields a non-nil map item.
            long got = Sigma0Client.getAny(l4, 12);
            s.log.add("request " + (!Fpage.isNil(got) && Fpage.log2Size(got) == 12 && Fpage.rights(got) == Fpage.RWX));
            l4.store(Fpage.address(got), 5);
            s.log.add("mapped 1:1 " + l4.load(Fpage.address(got)));
            // "phony send, ok=noresponse": a label-0 two-word message gets no answer.
            l4.loadMsg(0, 1, 2);
            long tag = l4.call(sigma0, Timeout.NEVER, Timeout.micros(1000));
            s.log.add("phony send " + (L4.failed(tag) && IpcError.phase(l4.errorCode()) == IpcError.PHASE_RECEIVE
                    && l4.ipcError() == IpcError.TIMEOUT));
            // "phony receive, ok=nilmapping": without an acceptor, sigma0's reply overflows.
            l4.setBr(0, 0);
            l4.loadMsg(MsgTag.LABEL_SIGMA0, Fpage.log2(~0L, 12), 0);
            tag = l4.call(sigma0);
            s.log.add("phony receive " + (L4.failed(tag) && l4.ipcError() == IpcError.MSG_OVERFLOW));
            // "Sigma0 pool dump": label −1001, MR1 = 2, MR2 = 1 gets a reply.
            l4.loadMsg(MsgTag.protocolLabel(-1001), 2, 1);
            tag = l4.call(sigma0, Timeout.NEVER, Timeout.micros(1000));
            s.log.add("pool dump " + !L4.failed(tag));
            // Memory another thread owns is refused with a nil map item.
            s.log.add("root region again " + !Fpage.isNil(Sigma0Client.getPage(l4, MEM, 12)));
        });
        s.run();
        assertEquals(List.of("request true", "mapped 1:1 5", "phony send true", "phony receive true", "pool dump true",
                "root region again true"), s.log);
    }

    @Test
    void sigma0RefusesMemoryAnotherThreadOwns() {
        Scenario s = new Scenario();
        List<String> log = new ArrayList<>();
        s.entry("other", l4 -> {
            log.add("root's page " + Fpage.isNil(Sigma0Client.getPage(l4, MEM, 12)));
            log.add("kernel memory " + Fpage.isNil(Sigma0Client.getPage(l4, 60L << 20, 12)));
            log.add("a free page " + !Fpage.isNil(Sigma0Client.getPage(l4, MEM + (20L << 20), 12)));
            log.add("a region at 0 " + Sigma0Client.getRegion(l4, 0, 0x3000));   // 2^13 at 0, then 2^12 at 0x2000
            l4.store(0x2ff8, 1);
            log.add("mapped " + l4.load(0x2ff8));
        });
        s.main(l4 -> {
            new Threads(l4).inNewSpace(s.ip("other"), 0);
            l4.sleepMicros(1000);
        });
        s.run();
        assertEquals(List.of("root's page true", "kernel memory true", "a free page true", "a region at 0 true", "mapped 1"), log);
    }
}
