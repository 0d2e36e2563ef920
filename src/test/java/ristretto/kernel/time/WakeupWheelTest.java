package ristretto.kernel.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.Test;

class WakeupWheelTest {

    private static final long TWO_42 = 1L << 42;

    private static List<Integer> expire(WakeupWheel w, long t) {
        List<Integer> out = new ArrayList<>();
        int n = w.expire(t, out::add);
        assertEquals(out.size(), n, "expire count");
        return out;
    }

    @Test
    void scheduleCancelExpireBasics() {
        WakeupWheel w = new WakeupWheel(16, 0);
        assertEquals(0, w.size());
        assertEquals(Long.MAX_VALUE, w.nextDeadline());
        assertFalse(w.isScheduled(3));
        assertEquals(-1, w.deadline(3));

        w.schedule(3, 100);
        w.schedule(4, 200);
        w.schedule(5, 300);
        assertEquals(3, w.size());
        assertTrue(w.isScheduled(3));
        assertEquals(200, w.deadline(4));
        assertEquals(100, w.nextDeadline());

        assertTrue(w.cancel(3));
        assertFalse(w.cancel(3));
        assertFalse(w.isScheduled(3));
        assertEquals(2, w.size());
        assertEquals(200, w.nextDeadline());

        assertEquals(List.of(), expire(w, 199));
        assertEquals(199, w.nowMicros());
        assertEquals(List.of(4), expire(w, 200));
        assertFalse(w.isScheduled(4));
        assertEquals(1, w.size());
        assertEquals(300, w.nextDeadline());

        // Moving a scheduled timer.
        w.schedule(5, 1_000);
        assertEquals(1, w.size());
        assertEquals(List.of(), expire(w, 999));
        assertEquals(List.of(5), expire(w, 5_000));
        assertEquals(0, w.size());
        assertEquals(Long.MAX_VALUE, w.nextDeadline());
        assertEquals(5_000, w.nowMicros());

        assertThrows(IndexOutOfBoundsException.class, () -> w.schedule(16, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> w.cancel(-1));
    }

    @Test
    void expiresInDeadlineOrderTiesByAscendingId() {
        WakeupWheel w = new WakeupWheel(64, 0);
        w.schedule(30, 5);
        w.schedule(10, 3);
        w.schedule(2, 5);
        w.schedule(7, 3);
        w.schedule(1, 100);
        w.schedule(0, 70_000);   // level 2 at schedule time
        w.schedule(63, 70_000);
        w.schedule(40, 69_999);
        w.schedule(41, 4_096);   // exactly a level boundary
        assertEquals(List.of(7, 10, 2, 30, 1, 41, 40, 0, 63), expire(w, 1_000_000));

        // A large tie group (exercises the heapsort path), inserted in scrambled order.
        WakeupWheel big = new WakeupWheel(1000, 0);
        Random rnd = new Random(1);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(i);
        }
        java.util.Collections.shuffle(ids, rnd);
        for (int id : ids) {
            big.schedule(id, 1_000_000 + (id % 3)); // three tie groups
        }
        List<Integer> expected = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            for (int id = r; id < 1000; id += 3) {
                expected.add(id);
            }
        }
        assertEquals(expected, expire(big, 2_000_000));
    }

    @Test
    void reentrantScheduleAndCancelFromCallbacks() {
        WakeupWheel w = new WakeupWheel(16, 0);
        w.schedule(1, 10);
        w.schedule(4, 12);
        List<Integer> out = new ArrayList<>();
        w.expire(20, id -> {
            out.add(id);
            if (id == 1) {
                assertEquals(10, w.nowMicros());
                w.schedule(2, 15);      // due within this call, after 1
                w.schedule(3, 5_000);   // not due
                assertTrue(w.cancel(4)); // due but cancelled before it fired
                assertEquals(15, w.nextDeadline());
            }
        });
        assertEquals(List.of(1, 2), out);
        assertTrue(w.isScheduled(3));
        assertFalse(w.isScheduled(4));
        assertEquals(20, w.nowMicros());

        // A periodic timer re-arming itself from its own callback.
        WakeupWheel p = new WakeupWheel(4, 0);
        p.schedule(0, 10);
        List<Long> times = new ArrayList<>();
        int n = p.expire(100, id -> {
            times.add(p.nowMicros());
            p.schedule(id, p.nowMicros() + 10);
        });
        assertEquals(10, n);
        assertEquals(List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L), times);
        assertEquals(110, p.deadline(0));

        // Members of the same firing batch re-scheduled or cancelled before their turn.
        WakeupWheel b = new WakeupWheel(8, 0);
        b.schedule(1, 10);
        b.schedule(2, 10);
        b.schedule(3, 10);
        b.schedule(4, 10);
        List<Integer> got = new ArrayList<>();
        b.expire(20, id -> {
            got.add(id);
            if (id == 1) {
                assertEquals(10, b.nextDeadline()); // 2, 3 and 4 are still pending
                b.schedule(2, 30);
                b.cancel(3);
                b.schedule(4, 10);   // same deadline: still fires in this call
                b.schedule(5, 3);    // in the past: fires in this call after the batch
                assertEquals(3, b.nextDeadline());
            }
        });
        // 4 and 5 fire in a second round at time 10, ordered by deadline (5 is due at 3).
        assertEquals(List.of(1, 5, 4), got);
        assertEquals(30, b.deadline(2));
        assertFalse(b.isScheduled(3));
        assertEquals(List.of(2), expire(b, 30));

        // expire is not re-entrant.
        WakeupWheel r = new WakeupWheel(2, 0);
        r.schedule(0, 1);
        assertThrows(IllegalStateException.class, () -> r.expire(5, id -> r.expire(6, x -> { })));
    }

    @Test
    void throwingCallbackLeavesRestScheduled() {
        WakeupWheel w = new WakeupWheel(8, 0);
        w.schedule(1, 10);
        w.schedule(2, 10);
        w.schedule(3, 20);
        assertThrows(IllegalArgumentException.class, () -> w.expire(30, id -> {
            throw new IllegalArgumentException("boom " + id);
        }));
        assertFalse(w.isScheduled(1));
        assertTrue(w.isScheduled(2));
        assertTrue(w.isScheduled(3));
        assertEquals(2, w.size());
        assertEquals(10, w.nextDeadline());
        assertEquals(List.of(2, 3), expire(w, 30));
    }

    @Test
    void pastDeadlinesExpireAtNextExpire() {
        WakeupWheel w = new WakeupWheel(8, 1_000);
        w.schedule(1, 5);
        w.schedule(2, 1_000);
        w.schedule(3, -7);
        w.schedule(4, Long.MIN_VALUE);
        assertEquals(Long.MIN_VALUE, w.nextDeadline());
        assertEquals(5, w.deadline(1));
        // Time does not go backwards, but what is due still fires.
        assertEquals(List.of(4, 3, 1, 2), expire(w, 500));
        assertEquals(1_000, w.nowMicros());
        w.schedule(5, 999);
        assertEquals(999, w.nextDeadline());
        assertEquals(List.of(5), expire(w, 1_000));
    }

    @Test
    void largeJumpsWithFewTimers() {
        WakeupWheel w = new WakeupWheel(8, 0);
        long t = 1_000_000_000_000L;
        w.schedule(2, t + 1);
        w.schedule(1, t);
        w.schedule(0, t / 2);
        w.schedule(3, t + 64L * 64 * 64 * 64);
        assertEquals(List.of(0), expire(w, t - 1));
        assertEquals(t, w.nextDeadline());
        assertEquals(List.of(1, 2), expire(w, t + 1));
        assertEquals(t + 64L * 64 * 64 * 64, w.nextDeadline());
        assertEquals(List.of(3), expire(w, 2 * t));
        assertEquals(2 * t, w.nowMicros());

        // An idle CPU jumping virtual time from deadline to deadline, 10^9 µs apart.
        WakeupWheel idle = new WakeupWheel(4, 0);
        for (int i = 0; i < 4; i++) {
            idle.schedule(i, (i + 1) * 1_000_000_000L);
        }
        int fired = 0;
        long last = -1;
        for (int step = 0; step < 10_000; step++) {
            long next = idle.nextDeadline();
            assertTrue(next > last);
            last = next;
            int[] got = new int[1];
            assertEquals(1, idle.expire(next, id -> {
                got[0] = id;
                idle.schedule(id, next + 4 * 1_000_000_000L);
            }));
            assertEquals(step % 4, got[0]);
            fired++;
        }
        assertEquals(10_000, fired);
        assertEquals(10_000 * 1_000_000_000L, idle.nowMicros());
    }

    @Test
    void overflowBeyondTwoToThe42() {
        WakeupWheel w = new WakeupWheel(8, 123);
        w.schedule(0, 1L << 50);
        w.schedule(1, TWO_42 + 1);
        w.schedule(2, 1L << 43);
        w.schedule(3, 1L << 60);
        w.schedule(4, TWO_42 - 1);   // still inside the first epoch
        w.schedule(5, Long.MAX_VALUE);
        assertEquals(TWO_42 - 1, w.nextDeadline());
        assertEquals(List.of(4), expire(w, TWO_42 - 1));
        assertEquals(TWO_42 + 1, w.nextDeadline());
        assertTrue(w.cancel(1));
        assertEquals(1L << 43, w.nextDeadline());
        assertEquals(List.of(), expire(w, (1L << 43) - 1));
        assertEquals(List.of(2), expire(w, (1L << 43) + 5));
        w.schedule(6, (1L << 50) + 3);
        w.schedule(7, 1L << 50);
        assertEquals(1L << 50, w.nextDeadline());
        assertEquals(List.of(0, 7, 6), expire(w, 1L << 51));
        assertEquals(1L << 60, w.nextDeadline());
        assertEquals(List.of(3), expire(w, Long.MAX_VALUE - 1));
        assertEquals(Long.MAX_VALUE, w.nextDeadline());
        assertEquals(List.of(5), expire(w, Long.MAX_VALUE));
        assertEquals(0, w.size());
        assertEquals(Long.MAX_VALUE, w.nowMicros());
    }

    // ---- randomized differential test against a sorted-set reference ------------------------

    /** Obviously-correct reference: a sorted set of (deadline, id). */
    private static final class Reference {
        final TreeSet<long[]> set = new TreeSet<>(
                Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        final long[] deadline;
        final boolean[] on;
        long now;

        Reference(int capacity, long start) {
            deadline = new long[capacity];
            on = new boolean[capacity];
            now = start;
        }

        void schedule(int id, long d) {
            if (on[id]) {
                set.remove(new long[] {deadline[id], id});
            }
            on[id] = true;
            deadline[id] = d;
            set.add(new long[] {d, id});
        }

        boolean cancel(int id) {
            if (!on[id]) {
                return false;
            }
            on[id] = false;
            set.remove(new long[] {deadline[id], id});
            return true;
        }

        long nextDeadline() {
            return set.isEmpty() ? Long.MAX_VALUE : set.first()[0];
        }

        int expire(long t, IntConsumer cb) {
            long before = now;
            t = Math.max(t, now);
            int n = 0;
            while (!set.isEmpty() && set.first()[0] <= t) {
                long[] e = set.pollFirst();
                int id = (int) e[1];
                on[id] = false;
                now = Math.max(e[0], before);
                n++;
                cb.accept(id);
            }
            now = t;
            return n;
        }
    }

    private static long offset(Random rnd) {
        int k = rnd.nextInt(100);
        if (k < 10) {
            return -1 - rnd.nextInt(1_000_000);          // in the past
        } else if (k < 15) {
            return 0;
        } else if (k < 45) {
            return rnd.nextInt(64);
        } else if (k < 70) {
            return rnd.nextInt(1 << 18);
        } else if (k < 85) {
            return rnd.nextLong(1L << 30);
        } else if (k < 97) {
            return rnd.nextLong(TWO_42);
        } else {
            return rnd.nextLong(1L << 46);              // often into the overflow list
        }
    }

    private static long step(Random rnd) {
        int k = rnd.nextInt(100);
        if (k < 10) {
            return -rnd.nextInt(1000);                  // attempt to go backwards
        } else if (k < 40) {
            return rnd.nextInt(65);
        } else if (k < 70) {
            return rnd.nextInt(100_000);
        } else if (k < 90) {
            return rnd.nextLong(1L << 32);
        } else {
            return rnd.nextLong(1L << 44);
        }
    }

    private static void differential(long seed, long start, int capacity, int ops) {
        Random rnd = new Random(seed);
        WakeupWheel w = new WakeupWheel(capacity, start);
        Reference ref = new Reference(capacity, start);
        long expiries = 0;
        for (int op = 0; op < ops; op++) {
            int kind = rnd.nextInt(100);
            if (kind < 40) {
                int id = rnd.nextInt(capacity);
                long d = ref.now + offset(rnd);
                w.schedule(id, d);
                ref.schedule(id, d);
            } else if (kind < 55) {
                int id = rnd.nextInt(capacity);
                assertEquals(ref.cancel(id), w.cancel(id), "cancel at op " + op);
            } else if (kind < 80) {
                long t = ref.now + step(rnd);
                boolean reentrant = rnd.nextInt(3) == 0;
                long cbSeed = rnd.nextLong();
                List<Integer> got = new ArrayList<>();
                List<Integer> want = new ArrayList<>();
                List<Long> gotNow = new ArrayList<>();
                List<Long> wantNow = new ArrayList<>();
                Random cbW = new Random(cbSeed);
                Random cbR = new Random(cbSeed);
                int nw = w.expire(t, id -> {
                    got.add(id);
                    gotNow.add(w.nowMicros());
                    assertFalse(w.isScheduled(id));
                    if (reentrant) {
                        callbackAction(cbW, capacity, w.nowMicros(), w::schedule, w::cancel);
                    }
                });
                int nr = ref.expire(t, id -> {
                    want.add(id);
                    wantNow.add(ref.now);
                    if (reentrant) {
                        callbackAction(cbR, capacity, ref.now, ref::schedule, ref::cancel);
                    }
                });
                assertEquals(want, got, "expiry sequence at op " + op);
                assertEquals(wantNow, gotNow, "time seen by callbacks at op " + op);
                assertEquals(nr, nw);
                assertEquals(ref.now, w.nowMicros());
                expiries += nw;
            } else if (kind < 92) {
                assertEquals(ref.nextDeadline(), w.nextDeadline(), "nextDeadline at op " + op);
            } else {
                int id = rnd.nextInt(capacity);
                assertEquals(ref.on[id], w.isScheduled(id));
                assertEquals(ref.on[id] ? ref.deadline[id] : -1, w.deadline(id));
                assertEquals(ref.set.size(), w.size());
            }
        }
        assertTrue(expiries > ops / 20, "the test should expire plenty of timers: " + expiries);
        // Drain everything.
        List<Integer> got = new ArrayList<>();
        List<Integer> want = new ArrayList<>();
        w.expire(Long.MAX_VALUE, got::add);
        ref.expire(Long.MAX_VALUE, want::add);
        assertEquals(want, got);
        assertEquals(0, w.size());
        assertEquals(Long.MAX_VALUE, w.nextDeadline());
    }

    interface Scheduler {
        void schedule(int id, long deadline);
    }

    interface Canceller {
        boolean cancel(int id);
    }

    /** A re-entrant action; new deadlines lie strictly after the firing time. */
    private static void callbackAction(Random rnd, int capacity, long now, Scheduler s, Canceller c) {
        int k = rnd.nextInt(10);
        if (k < 3) {
            s.schedule(rnd.nextInt(capacity), now + 1 + rnd.nextInt(1000));
        } else if (k < 5) {
            c.cancel(rnd.nextInt(capacity));
        } else if (k < 6) {
            s.schedule(rnd.nextInt(capacity), now + 1 + rnd.nextLong(1L << 40));
        }
    }

    @Test
    void randomizedDifferentialAgainstSortedSet() {
        differential(0x5EED_CAFEL, 0, 512, 200_000);
    }

    @Test
    void randomizedDifferentialFewIdsNegativeStartAcrossEpochs() {
        differential(42, -3 * TWO_42 - 12_345, 24, 100_000);
    }
}
