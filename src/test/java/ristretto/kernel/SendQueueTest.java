package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.IpcScenario.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import ristretto.abi.ExRegs;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;

/**
 * Send queues (§8.4, §9.2): senders blocked on one receiver are served highest priority first
 * and in arrival order within a priority. Senders arrive in a fixed order (each sleeps a
 * different time first); the receiver then takes them all with open receives.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class SendQueueTest {
    final List<Long> served = new ArrayList<>();

    /** Senders with these priorities arrive in index order; returns the order they were served in. */
    List<Integer> serve(int[] prios) {
        long[] id = new long[prios.length + 1];
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(1000);                 // every sender is queued by now
                for (int i = 0; i < prios.length; i++) {
                    long tag = l4.waitAny();
                    served.add(MsgTag.isError(tag) ? -1 : l4.mr(1));
                }
            });
            for (int i = 0; i < prios.length; i++) {
                int k = i;
                id[i + 1] = root.local(l4 -> { l4.sleepMicros(10 + 10L * k); l4.loadMsg(0x1, k); l4.send(id[0]); });
                root.prio(id[i + 1], prios[i]);
            }
        });
        List<Integer> order = new ArrayList<>();
        for (long w : served) order.add((int) w);
        return order;
    }

    static List<Integer> expected(int[] prios) {
        return IntStream.range(0, prios.length).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -prios[i]).thenComparingInt(i -> i)).toList();
    }

    @Test
    void sendersOfOnePriorityAreServedInArrivalOrder() {
        int[] prios = {100, 100, 100, 100, 100};
        assertEquals(List.of(0, 1, 2, 3, 4), serve(prios));
    }

    @Test
    void higherPrioritySendersAreServedFirstAndFifoWithinAPriority() {
        int[] prios = {50, 80, 50, 80, 60, 50, 120, 60};
        assertEquals(expected(prios), serve(prios));
        assertEquals(List.of(6, 1, 3, 4, 7, 0, 2, 5), expected(prios));
    }

    @Test
    void senderPrioritiesArrivingInAscendingOrderAreReversed() {
        int[] prios = {10, 20, 30, 40, 50};
        assertEquals(List.of(4, 3, 2, 1, 0), serve(prios));
    }

    @Test
    void aSenderThatTimesOutOrIsCancelledLeavesTheQueueAndTheOthersKeepTheirOrder() {
        long[] id = new long[6];
        List<String> outcomes = new ArrayList<>();
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(1000);
                for (int i = 0; i < 3; i++) {
                    l4.waitAny();
                    served.add(l4.mr(1));
                }
                l4.waitAny(Timeout.ZERO);                // nobody else is left
                served.add(MsgTag.isError(l4.mr(0)) ? -1L : l4.mr(1));
            });
            for (int i = 1; i <= 5; i++) {
                int k = i;
                id[i] = root.local(l4 -> {
                    l4.sleepMicros(10L * k);
                    l4.loadMsg(0x1, k);
                    l4.send(id[0], k == 2 ? Timeout.period(300) : Timeout.NEVER);   // 2 gives up at ~320 µs
                    outcomes.add(k + (MsgTag.isError(l4.mr(0)) ? " failed " + l4.errorCode() : " ok"));
                });
            }
            root.sleep(500);
            root.l4.exchangeRegisters(id[4], ExRegs.CANCEL_SEND, 0, 0, 0, 0, ThreadId.NIL);   // 4 is cancelled
        });
        assertEquals(List.of(1L, 3L, 5L, -1L), served);
        assertTrue(outcomes.contains("2 failed " + err(SEND, ristretto.abi.IpcError.TIMEOUT)), outcomes::toString);
        assertTrue(outcomes.contains("4 failed " + err(SEND, ristretto.abi.IpcError.CANCELED)), outcomes::toString);
    }

    @Test
    void aQueuedSenderWhosePriorityChangesMovesToItsNewPlaceInTheQueue() {
        long[] id = new long[5];
        List<Long> queue = new ArrayList<>();
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(1000);
                for (int i = 0; i < 4; i++) {
                    l4.waitAny();
                    served.add(l4.mr(1));
                }
            });
            for (int i = 1; i <= 4; i++) {
                int k = i;
                id[i] = root.local(l4 -> { l4.sleepMicros(10L * k); l4.loadMsg(0x1, k); l4.send(id[0]); });
            }
            root.sleep(500);                          // all four are queued, in arrival order
            root.prio(id[3], 150);                    // 3 jumps to the head
            root.prio(id[1], 50);                     // 1 falls to the tail
            queue.addAll(IpcInspector.sendQueue(root.kernel(), id[0]));
        });
        assertEquals(List.of(id[3], id[2], id[4], id[1]), queue);
        assertEquals(List.of(3L, 2L, 4L, 1L), served);
    }

    @Test
    void aClosedReceiveTakesASenderFromTheMiddleWithoutReorderingTheRest() {
        long[] id = new long[5];
        run(root -> {
            id[0] = root.local(l4 -> {
                l4.sleepMicros(1000);
                l4.receive(id[3]);
                served.add(l4.mr(1));
                for (int i = 0; i < 3; i++) {
                    l4.waitAny();
                    served.add(l4.mr(1));
                }
            });
            for (int i = 1; i <= 4; i++) {
                int k = i;
                id[i] = root.local(l4 -> { l4.sleepMicros(10L * k); l4.loadMsg(0x1, k); l4.send(id[0]); });
            }
        });
        assertEquals(List.of(3L, 1L, 2L, 4L), served);
    }
}
