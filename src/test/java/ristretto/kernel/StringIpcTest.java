package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.MEM;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.Message;
import ristretto.user.StringBuffers;
import ristretto.user.Threads;

/**
 * String items between threads of the root task's space, whose memory is mapped: no faults. The
 * hostile cases — lengths, addresses and layouts no pager can make work — are message overflows
 * at the offset reached, for both sides, never a kernel error.
 */
class StringIpcTest {
    static final long SRC = MEM + 0x10_0000, DST = MEM + 0x20_0000;

    /** The receiver sets {@code buffers}, the root sends {@code message}: both sides' outcomes, receiver first. */
    static List<String> exchange(Kernel.Options options, java.util.function.Consumer<L4> buffers, java.util.function.Consumer<L4> message) {
        Scenario s = new Scenario();
        long[] ids = new long[1];
        s.entry("receiver", l4 -> {
            buffers.accept(l4);
            long tag = l4.receive(ids[0]);
            s.log.add("receiver: " + (L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "t=" + MsgTag.t(tag)));
        });
        s.main(l4 -> {
            ids[0] = l4.myGlobalId();
            long r = new Threads(l4).inMySpace(s.ip("receiver"), 0);
            l4.threadSwitch(r);
            message.accept(l4);
            long tag = l4.send(r);
            s.log.add("sender: " + (L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "ok"));
        });
        Harness h = s.run(options);
        assertEquals(List.of(), h.kernel().invariantViolations());
        assertTrue(h.console.isEmpty(), h.console.toString());
        return s.log.stream().sorted().toList();
    }

    static List<String> overflowAt(long offset) {
        String at = offset == 0 ? "" : ", offset " + offset;
        return List.of("receiver: receive phase, message overflow" + at, "sender: send phase, message overflow" + at);
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void hostileLayoutsAreMessageOverflowsAtTheOffsetReached(Kernel.Copy copy) {
        Kernel.Options o = Harness.testOptions().withCopy(copy);
        // A substring longer than 4 MiB.
        assertEquals(overflowAt(0), exchange(o, l4 -> new StringBuffers().buffer(DST, 100).accept(l4),
                l4 -> new Message(1).string(SRC, (4 << 20) + 1).load(l4)));
        // A receive buffer outside the user area, after 100 bytes that fit.
        assertEquals(overflowAt(100), exchange(o, l4 -> new StringBuffers().buffer(DST, 100).more(50, 1L << 50).accept(l4),
                l4 -> new Message(1).string(SRC, 150).load(l4)));
        // A receive buffer in the KIP (read-only, a kernel area): clipped.
        assertEquals(overflowAt(0), exchange(o, l4 -> new StringBuffers().buffer(Scenario.ROOT_KIP, 64).accept(l4),
                l4 -> new Message(1).string(SRC, 64).load(l4)));
        // A source in a UTCB slot of the sender's UTCB area that no thread has (not backed, a kernel area: no pager can map it).
        assertEquals(overflowAt(0), exchange(o, l4 -> new StringBuffers().buffer(DST, 64).accept(l4),
                l4 -> new Message(1).string(Scenario.ROOT_UTCB_BASE + (512L << 20), 64).load(l4)));
        // A string item cut off by the end of the message (t counts the header only).
        assertEquals(overflowAt(0), exchange(o, l4 -> new StringBuffers().buffer(DST, 64).accept(l4), l4 -> {
            new Message(1).string(SRC, 64).load(l4);
            l4.setMr(0, MsgTag.make(1, 0, 1));
        }));
        // A buffer chain that runs past BR32: 32 words of buffers whose last item claims a compound successor.
        assertEquals(overflowAt(16 * 8), exchange(o, l4 -> {
            StringBuffers b = new StringBuffers().buffer(DST, 8);
            for (int i = 1; i < 16; i++) b.more(8, DST + 8L * i);
            b.accept(l4);                                      // 16 items in BR1..BR32; make the last compound too
            l4.setBr(31, ristretto.abi.StringItem.withCompound(l4.br(31)));
        }, l4 -> new Message(1).string(SRC, 1000).load(l4)));
        // A negative length cannot be encoded; the largest 54-bit length is refused at once.
        assertEquals(overflowAt(0), exchange(o, l4 -> new StringBuffers().buffer(DST, 64).accept(l4), l4 -> {
            new Message(1).string(SRC, 64).load(l4);
            l4.setMr(1, l4.mr(1) | -1L << 10);
        }));
    }

    /** A string with cache hint 2 ("do not allocate") arrives like any other; the hint only reaches the cost model. */
    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void cacheHintsAreAccepted(Kernel.Copy copy) {
        assertEquals(List.of("receiver: t=2", "sender: ok"), exchange(Harness.testOptions().withCopy(copy).withCostModel(true),
                l4 -> new StringBuffers().buffer(DST, 4096).accept(l4),
                l4 -> new Message(1).string(SRC, 4096).hint(ristretto.abi.StringItem.HINT_NO_ALLOCATE).load(l4)));
    }

    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void aSimpleStringArrives(Kernel.Copy copy) {
        Scenario s = new Scenario();
        long[] ids = new long[1];
        s.entry("receiver", l4 -> {
            new StringBuffers().buffer(DST, 256).accept(l4);
            long tag = l4.receive(ids[0]);
            byte[] got = l4.read(DST, 256);
            boolean same = true;
            for (int i = 0; i < 256; i++) same &= got[i] == (byte) i;
            s.log.add(L4.failed(tag) ? "receiver: " + IpcError.toString(l4.errorCode())
                    : "receiver: t=" + MsgTag.t(tag) + " bytes " + (same ? "ok" : "differ"));
        });
        s.main(l4 -> {
            ids[0] = l4.myGlobalId();
            byte[] b = new byte[256];
            for (int i = 0; i < 256; i++) b[i] = (byte) i;
            l4.write(SRC, b);
            long r = new Threads(l4).inMySpace(s.ip("receiver"), 0);
            l4.threadSwitch(r);
            new Message(7).string(SRC, 256).load(l4);
            long tag = l4.send(r);
            if (L4.failed(tag)) s.log.add("sender: " + IpcError.toString(l4.errorCode()));
        });
        Harness h = s.run(Harness.testOptions().withCopy(copy));
        assertEquals(List.of("receiver: t=2 bytes ok"), s.log, h.console.toString());
        assertEquals(List.of(), h.kernel().invariantViolations());
    }
}
