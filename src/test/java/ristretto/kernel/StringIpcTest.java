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

/** String items between threads of the root task's space, whose memory is mapped: no faults. */
class StringIpcTest {
    static final long SRC = MEM + 0x10_0000, DST = MEM + 0x20_0000;

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
