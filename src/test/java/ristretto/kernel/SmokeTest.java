package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.machine.Machine;
import ristretto.system.Ristretto;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;

/** Boot, create a thread in the root space, start it, and ping it through call/reply-wait. */
class SmokeTest {
    @Test
    void rootTaskPingsAThreadInItsOwnSpace() {
        List<String> log = new ArrayList<>();
        long[] ips = new long[1];
        Program root = new Program() {
            @Override public void link(Linker l) {
                ips[0] = l.entry("echo", l4 -> {
                    long tag = l4.waitAny();
                    while (true) {
                        long from = l4.from();
                        l4.setMr(1, l4.mr(1) + 1);
                        l4.setMr(0, MsgTag.make(7, 1, 0));
                        tag = l4.replyWait(from);
                    }
                });
            }

            @Override public void main(L4 l4) {
                long me = l4.myGlobalId();
                long t = ThreadId.global(ThreadId.number(me) + 1, 1);
                boolean ok = l4.threadControl(t, me, me, me, 0x10_0000_0000L + 1024);
                log.add("tc " + ok + " err " + l4.errorCode());
                l4.startThread(t, ips[0], 0);
                log.add("start err " + l4.ipcFailed());
                for (int i = 0; i < 5; i++) {
                    l4.loadMsg(1, i * 10);
                    long tag = l4.call(t);
                    log.add("reply " + MsgTag.label(tag) + " " + l4.mr(1) + " from " + ThreadId.toString(l4.from()));
                }
                log.add("clock " + l4.systemClock());
            }
        };
        Ristretto sys = Ristretto.boot(Machine.Config.defaults(), Kernel.Options.defaults().withTracing(true), root);
        String why = sys.run();
        assertEquals("no runnable thread and nothing left to wake", why);
        // The first call finds the echo thread not yet waiting (slow path); the other 9 IPCs
        // are Call/ReplyWait to a waiting partner, same space, addressed by local ID on reply;
        // one more is the root task's request to sigma0 for its memory before main.
        assertEquals(10, sys.kernel().trace().fastPathHits);
        assertTrue(log.contains("tc true err 0"), log.toString());
        assertEquals("reply 7 41", log.get(6).substring(0, 10));
    }
}
