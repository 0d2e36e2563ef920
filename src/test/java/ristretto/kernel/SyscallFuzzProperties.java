package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import ristretto.abi.ExRegs;
import ristretto.abi.Fpage;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/**
 * Bad input from user code gets an X.2 error code, never a kernel crash, hang or lost state:
 * a privileged root task and an unprivileged thread in a new space issue hundreds of system
 * calls with hostile arguments (stale, bogus, special and local IDs, unaligned and out-of-range
 * addresses, malformed tags, fpages, timeouts and control words). Afterwards no kernel bug was
 * reported, every kernel invariant holds, and the machine halted normally.
 */
class SyscallFuzzProperties {

    @Property(tries = 25)
    void hostileSystemCallsOnlyProduceErrorCodes(@ForAll long seed) {
        List<String> progress = new ArrayList<>();
        long[] ip = new long[2];
        Program root = new Program() {
            @Override public void link(Linker l) {
                ip[0] = l.entry("fuzz.unprivileged", l4 -> fuzz(l4, new Random(seed ^ 0x5EED), 200, progress, "unprivileged", true));
                ip[1] = l.entry("fuzz.victim", l4 -> { while (true) { l4.waitAny(); l4.reply(l4.from()); } });
            }

            @Override public void main(L4 l4) {
                Threads threads = new Threads(l4);
                long victim = threads.inMySpace(ip[1], 0);          // a same-space target to poke at
                long other = threads.inNewSpace(ip[0], 0);          // runs the unprivileged fuzz
                fuzz(l4, new Random(seed), 300, progress, "root", false);
                threads.kill(victim);
                threads.kill(other);
            }
        };
        Harness h = Harness.run(root);
        assertTrue(h.console.stream().noneMatch(l -> l.contains("KERNEL BUG")), String.join("\n", h.console));
        assertEquals(List.of(), h.kernel().invariantViolations());
        assertTrue(progress.contains("root done"), "root did not finish: " + progress + h.console);
        assertEquals("no runnable thread and nothing left to wake", h.haltReason);
    }

    /** Issues {@code n} random system calls; IPCs use short timeouts so nothing waits forever. */
    static void fuzz(L4 l4, Random r, int n, List<String> progress, String who, boolean mayRedirectSelf) {
        // Nobody restarts itself at a new IP (a restart replays the same calls forever), and the
        // root must live to report, so it never halts itself either.
        long selfSafe = ~(long) (ExRegs.SET_IP | (mayRedirectSelf ? 0 : ExRegs.HALT_VALID));
        long me = l4.myGlobalId();
        for (int i = 0; i < n; i++) {
            long a = id(r, l4, me), b = id(r, l4, me), c = id(r, l4, me), d = id(r, l4, me);
            switch (r.nextInt(9)) {
                case 0 -> {
                    for (int k = 0; k < 64; k++) l4.setMr(k, r.nextLong());
                    l4.setMr(0, r.nextBoolean() ? r.nextLong() : MsgTag.make(r.nextInt(100), r.nextInt(64), r.nextInt(64)));
                    int snd = r.nextBoolean() ? Timeout.ZERO : Timeout.period(r.nextInt(2000));
                    int rcv = r.nextBoolean() ? Timeout.ZERO : Timeout.period(r.nextInt(2000));
                    l4.ipc(r.nextInt(4) == 0 ? ThreadId.NIL : a, r.nextInt(3) == 0 ? ThreadId.NIL : b, Timeout.timeouts(snd, rcv));
                }
                case 1 -> l4.threadControl(a, r.nextInt(4) == 0 ? ThreadId.NIL : b, c, d, addr(r));
                case 2 -> l4.spaceControl(a, r.nextLong(), fpage(r), fpage(r), r.nextBoolean() ? b : ThreadId.ANY);
                case 3 -> l4.exchangeRegisters(a, (r.nextInt(1 << 11) | (r.nextInt(20) == 0 ? 1L << r.nextInt(64) : 0)) & selfSafe,
                        r.nextInt(3) == 0 ? addr(r) : l4.startIp(), addr(r), r.nextLong(), r.nextLong(), b);
                case 4 -> l4.schedule(a, r.nextBoolean() ? -1 : r.nextLong(), r.nextBoolean() ? -1 : r.nextInt(4),
                        r.nextBoolean() ? -1 : r.nextInt(300), r.nextBoolean() ? -1 : r.nextLong());
                case 5 -> l4.threadSwitch(r.nextBoolean() ? ThreadId.NIL : a);
                case 6 -> { l4.systemClock(); l4.kernelInterface(); }
                case 7 -> l4.globalIdOf(a);
                default -> l4.ipc(ThreadId.NIL, r.nextBoolean() ? ThreadId.ANY : ThreadId.ANY_LOCAL, Timeout.timeouts(0, Timeout.ZERO));
            }
        }
        progress.add(who + " done");
    }

    private static long id(Random r, L4 l4, long me) {
        int no = ThreadId.number(me);
        return switch (r.nextInt(12)) {
            case 0 -> ThreadId.NIL;
            case 1 -> ThreadId.ANY;
            case 2 -> ThreadId.ANY_LOCAL;
            case 3 -> me;
            case 4 -> ThreadId.global(no + 1 + r.nextInt(3), 1);               // the victims
            case 5 -> ThreadId.global(no + 1 + r.nextInt(3), 2 + r.nextInt(3)); // stale versions
            case 6 -> ThreadId.global(r.nextInt(80), 1);                         // interrupt/kernel/sigma0 range
            case 7 -> ThreadId.global(r.nextInt(1 << 20), r.nextInt());          // anywhere, maybe unusable version
            case 8 -> l4.myLocalId() + 1024L * (r.nextInt(5) - 2);               // local IDs, valid or not
            case 9 -> r.nextLong() & ~0x3FL;                                     // bogus local
            case 10 -> ThreadId.global(no + 10 + r.nextInt(20), 1 + r.nextInt(2)); // fresh numbers
            default -> r.nextLong();
        };
    }

    private static long addr(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> -1L;
            case 1 -> 0x10_0000_0000L + 1024L * r.nextInt(2048);
            case 2 -> 0x10_0000_0000L + r.nextInt(1 << 20);
            case 3 -> 0x7FFF_FFFF_FFFF_FC00L;
            default -> r.nextLong();
        };
    }

    private static long fpage(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> Fpage.NIL;
            case 1 -> Fpage.log2(((long) r.nextInt(1 << 20)) << 12, 10 + r.nextInt(40));
            case 2 -> Fpage.COMPLETE;
            default -> r.nextLong();
        };
    }
}
