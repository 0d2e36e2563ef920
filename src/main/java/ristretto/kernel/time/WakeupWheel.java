package ristretto.kernel.time;

import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The kernel's wakeup queue: the deadlines of threads sleeping in IPC with a timeout, kept in a
 * <em>hierarchical timing wheel</em> (Varghese &amp; Lauck, "Hashed and Hierarchical Timing Wheels",
 * SOSP 1987, scheme 7).
 *
 * <p>Liedtke's L3/L4 kernels keep sleepers in n unordered lists hashed by wakeup time τ mod n and
 * scan one list per tick, which costs k/n per tick for k sleepers whether or not anybody is due;
 * this wheel instead files a timer by the most significant 6-bit digit in which its deadline
 * differs from the current time, so a timer that is not due is touched only when the clock crosses
 * into its slot at some level (at most once per level), and empty stretches of time are skipped
 * through per-level occupancy bitmaps instead of being ticked through.
 *
 * <h2>Layout</h2>
 * Seven levels of 64 slots; a slot of level k spans 64<sup>k</sup> µs, so the wheel covers
 * 64<sup>7</sup> = 2<sup>42</sup> µs (about 51 days) beyond the start of the current 2<sup>42</sup>
 * µs epoch. A timer whose key (its deadline, or the current time if the deadline has passed)
 * agrees with the current time in every bit above bit 6(k+1) and first differs in digit k lives in
 * level k, slot = digit k of the key. Timers in a later epoch go to a single unordered overflow
 * list, re-examined only when the wheel is empty and time reaches the earliest overflow epoch.
 * Storage is intrusive: timers are the ids {@code [0, capacity)} (thread numbers), every slot is a
 * doubly linked list threaded through the parallel arrays {@code next}/{@code prev}, and each level
 * has one {@code long} bitmap of non-empty slots. Nothing is allocated after construction.
 *
 * <h2>Costs</h2>
 * <ul>
 *   <li>{@link #schedule}, {@link #cancel}, {@link #isScheduled}, {@link #deadline}: O(1).
 *   <li>{@link #expire}: O(levels) per step, where each step fires a µs slot, moves a non-empty slot
 *       one or more levels down (cascade), or opens an overflow epoch. Every timer is cascaded at
 *       most once per level, so the total is amortized O(levels) per timer plus a sort of the timers
 *       firing in the same µs (insertion sort for small groups, heapsort otherwise); a jump of time
 *       over any number of empty slots costs nothing extra. Timers that are not due are not
 *       touched unless their slot is reached.
 *   <li>{@link #nextDeadline}: exact, cached; a recomputation costs O(levels) plus the length of the
 *       first non-empty slot (or of the overflow list when the wheel is empty).
 * </ul>
 *
 * <h2>Semantics and caveats</h2>
 * <ul>
 *   <li>Expiry order is by deadline, ties by ascending id: same inputs, same callback order.
 *   <li>A deadline at or before the current time is legal; the timer fires at the next
 *       {@link #expire}.
 *   <li>Time never goes backwards: {@code expire(t)} with {@code t < nowMicros()} only fires what is
 *       already due.
 *   <li>Callbacks run with the timer already unscheduled and may call {@link #schedule} or
 *       {@link #cancel} on any id, including ids that are due in the same call but have not fired
 *       yet (a cancelled or re-scheduled one then does not fire from this batch). During a callback,
 *       {@link #nowMicros()} is {@code max(deadline of the firing timer, time before the call)}, so a
 *       timer scheduled from a callback for a later deadline {@code <= t} fires later in the same
 *       call, in order. A timer scheduled from a callback with a deadline at or before the firing
 *       time fires in the same call after the current µs batch (so a callback that keeps re-arming
 *       itself in the past never lets {@code expire} return). {@code expire} itself is not
 *       re-entrant.
 *   <li>If a callback throws, the timers of its batch that have not fired stay scheduled, the wheel
 *       stays consistent with its time left at the firing time, and the exception propagates.
 *   <li>Not thread-safe.
 *   <li>Overflow timers (more than about 2<sup>42</sup> µs ahead) are correct but cost
 *       O(overflow list) when their epoch is opened or when {@link #nextDeadline} must scan them.
 * </ul>
 */
public final class WakeupWheel {

    private static final int BITS = 6;
    private static final int SLOTS = 1 << BITS;
    private static final int LEVELS = 7;
    private static final int SPAN_BITS = BITS * LEVELS; // 42
    /** List index of the overflow list; lists 0 .. OVERFLOW-1 are level * 64 + slot. */
    private static final int OVERFLOW = LEVELS * SLOTS;
    /** {@code where[id]}: not scheduled. */
    private static final int NONE = -1;
    /** {@code where[id]}: due in the batch being fired, out of every list. */
    private static final int PENDING = -2;
    private static final int NIL = -1;
    private static final int INSERTION_SORT_MAX = 24;

    private final int capacity;
    private final int[] next;
    private final int[] prev;
    /** The list holding each id, or NONE / PENDING. */
    private final int[] where;
    private final long[] deadline;
    private final int[] head = new int[OVERFLOW + 1];
    private final long[] occupied = new long[LEVELS];
    /** The batch of ids firing in the current µs, sorted by (deadline, id). */
    private final int[] batch;
    private int batchPos;
    private int batchLen;

    private long now;
    private int size;
    private boolean expiring;

    private int overflowCount;
    private long overflowMin = Long.MAX_VALUE;
    private boolean overflowMinValid = true;

    /** Exact minimum deadline over every scheduled id (including a pending batch), when valid. */
    private long cachedNext = Long.MAX_VALUE;
    private boolean cachedNextValid = true;

    /**
     * @param capacity number of timer ids; ids are {@code [0, capacity)}
     * @param startMicros the wheel's initial time
     */
    public WakeupWheel(int capacity, long startMicros) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.next = new int[capacity];
        this.prev = new int[capacity];
        this.where = new int[capacity];
        this.deadline = new long[capacity];
        this.batch = new int[capacity];
        java.util.Arrays.fill(where, NONE);
        java.util.Arrays.fill(head, NIL);
        this.now = startMicros;
    }

    /** Schedules {@code id} to expire at {@code deadlineMicros}, moving it if already scheduled. */
    public void schedule(int id, long deadlineMicros) {
        Objects.checkIndex(id, capacity);
        if (where[id] != NONE) {
            detach(id);
        } else {
            size++;
        }
        deadline[id] = deadlineMicros;
        place(id);
        if (cachedNextValid && deadlineMicros < cachedNext) {
            cachedNext = deadlineMicros;
        }
    }

    /** Unschedules {@code id}; returns whether it was scheduled. O(1). */
    public boolean cancel(int id) {
        Objects.checkIndex(id, capacity);
        if (where[id] == NONE) {
            return false;
        }
        detach(id);
        size--;
        return true;
    }

    public boolean isScheduled(int id) {
        Objects.checkIndex(id, capacity);
        return where[id] != NONE;
    }

    /** The deadline of {@code id}, or -1 if it is not scheduled. */
    public long deadline(int id) {
        Objects.checkIndex(id, capacity);
        return where[id] != NONE ? deadline[id] : -1;
    }

    /** Number of scheduled timers. */
    public int size() {
        return size;
    }

    /** The wheel's current time (see the class comment for its value during callbacks). */
    public long nowMicros() {
        return now;
    }

    /**
     * The exact earliest scheduled deadline (which may lie before {@link #nowMicros()}), or
     * {@link Long#MAX_VALUE} if nothing is scheduled.
     */
    public long nextDeadline() {
        if (!cachedNextValid) {
            cachedNext = computeNextDeadline();
            cachedNextValid = true;
        }
        return cachedNext;
    }

    /**
     * Advances the wheel's time to {@code nowMicros} (never backwards) and calls {@code onExpired}
     * for every id whose deadline is {@code <= nowMicros}, in order of deadline, ties by ascending
     * id; each id is unscheduled before its callback runs. Returns the number of callbacks made.
     */
    public int expire(long nowMicros, IntConsumer onExpired) {
        Objects.requireNonNull(onExpired, "onExpired");
        if (expiring) {
            throw new IllegalStateException("expire called from an expiry callback");
        }
        long t = Math.max(nowMicros, now);
        expiring = true;
        int fired = 0;
        try {
            while (true) {
                int level = lowestOccupiedLevel();
                if (level < 0) {
                    if (overflowCount == 0) {
                        break;
                    }
                    long epochStart = (overflowMin() >> SPAN_BITS) << SPAN_BITS;
                    if (epochStart > t) {
                        break;
                    }
                    now = epochStart;
                    openOverflowEpoch();
                    continue;
                }
                int s = Long.numberOfTrailingZeros(occupied[level]);
                int shift = BITS * level;
                long slotStart = (now & -(1L << (shift + BITS))) | ((long) s << shift);
                if (slotStart > t) {
                    break;
                }
                now = slotStart;
                if (level == 0) {
                    fired += fire(s, onExpired);
                } else {
                    cascade(level * SLOTS + s);
                }
            }
            now = t;
        } finally {
            expiring = false;
        }
        return fired;
    }

    // ---------------------------------------------------------------------------------------
    // Internals.
    //
    // Invariant (between operations and during callbacks): every scheduled key
    // max(deadline, now) is >= now; a key in the current 2^42 epoch that first differs from now
    // in digit k sits in level k, slot digit_k(key), and that digit exceeds digit_k(now) for k >= 1
    // (is >= for k = 0). Hence keys increase with level, and within a level with slot number.
    // A key below its deadline (a deadline in the past) is always equal to now, in level 0.
    // ---------------------------------------------------------------------------------------

    private int lowestOccupiedLevel() {
        for (int level = 0; level < LEVELS; level++) {
            if (occupied[level] != 0) {
                return level;
            }
        }
        return -1;
    }

    /** Files a scheduled id (out of every list) by its key relative to now. */
    private void place(int id) {
        long d = deadline[id];
        long key = Math.max(d, now);
        if ((key >> SPAN_BITS) != (now >> SPAN_BITS)) {
            link(id, OVERFLOW);
            overflowCount++;
            if (overflowMinValid && key < overflowMin) {
                overflowMin = key;
            }
            return;
        }
        long diff = key ^ now;
        int level = diff == 0 ? 0 : (63 - Long.numberOfLeadingZeros(diff)) / BITS;
        int s = (int) (key >>> (BITS * level)) & (SLOTS - 1);
        link(id, level * SLOTS + s);
    }

    private void link(int id, int list) {
        int h = head[list];
        next[id] = h;
        prev[id] = NIL;
        if (h != NIL) {
            prev[h] = id;
        } else if (list < OVERFLOW) {
            occupied[list >>> BITS] |= 1L << list; // shift uses the low 6 bits: the slot
        }
        head[list] = id;
        where[id] = list;
    }

    private void unlink(int id, int list) {
        int n = next[id];
        int p = prev[id];
        if (p == NIL) {
            head[list] = n;
            if (n == NIL && list < OVERFLOW) {
                occupied[list >>> BITS] &= ~(1L << list);
            }
        } else {
            next[p] = n;
        }
        if (n != NIL) {
            prev[n] = p;
        }
    }

    /** Removes a scheduled id from wherever it is and marks it unscheduled (size untouched). */
    private void detach(int id) {
        int w = where[id];
        if (w >= 0) {
            unlink(id, w);
            if (w == OVERFLOW) {
                overflowCount--;
                if (deadline[id] == overflowMin) {
                    overflowMinValid = false;
                }
            }
        }
        where[id] = NONE;
        if (cachedNextValid && deadline[id] == cachedNext) {
            cachedNextValid = false;
        }
    }

    /** Empties a slot of level >= 1 (whose start is now) into the lower levels. */
    private void cascade(int list) {
        int id = head[list];
        head[list] = NIL;
        occupied[list >>> BITS] &= ~(1L << list);
        while (id != NIL) {
            int n = next[id];
            place(id);
            id = n;
        }
    }

    /** Now has entered a new epoch: moves the overflow timers of that epoch into the wheel. */
    private void openOverflowEpoch() {
        int id = head[OVERFLOW];
        head[OVERFLOW] = NIL;
        overflowCount = 0;
        overflowMin = Long.MAX_VALUE;
        overflowMinValid = true;
        while (id != NIL) {
            int n = next[id];
            place(id);
            id = n;
        }
    }

    private long overflowMin() {
        if (!overflowMinValid) {
            long m = Long.MAX_VALUE;
            for (int id = head[OVERFLOW]; id != NIL; id = next[id]) {
                m = Math.min(m, deadline[id]);
            }
            overflowMin = m;
            overflowMinValid = true;
        }
        return overflowMin;
    }

    /** Fires level-0 slot {@code s}, whose time is now. */
    private int fire(int s, IntConsumer onExpired) {
        int n = 0;
        for (int id = head[s]; id != NIL; id = next[id]) {
            batch[n++] = id;
            where[id] = PENDING;
        }
        head[s] = NIL;
        occupied[0] &= ~(1L << s);
        sortBatch(n);
        batchPos = 0;
        batchLen = n;
        int fired = 0;
        try {
            while (batchPos < batchLen) {
                int id = batch[batchPos++];
                if (where[id] != PENDING) {
                    continue; // cancelled or re-scheduled by an earlier callback
                }
                where[id] = NONE;
                size--;
                if (cachedNextValid && deadline[id] == cachedNext) {
                    cachedNextValid = false;
                }
                fired++;
                onExpired.accept(id);
            }
        } finally {
            // Only left over when a callback threw: keep the rest scheduled (due at now).
            while (batchPos < batchLen) {
                int id = batch[batchPos++];
                if (where[id] == PENDING) {
                    place(id);
                }
            }
            batchPos = 0;
            batchLen = 0;
        }
        return fired;
    }

    private long computeNextDeadline() {
        long m = Long.MAX_VALUE;
        // A batch being fired is sorted: its first still-pending id has its smallest deadline.
        for (int i = batchPos; i < batchLen; i++) {
            int id = batch[i];
            if (where[id] == PENDING) {
                m = deadline[id];
                break;
            }
        }
        int level = lowestOccupiedLevel();
        if (level >= 0) {
            int list = level * SLOTS + Long.numberOfTrailingZeros(occupied[level]);
            for (int id = head[list]; id != NIL; id = next[id]) {
                m = Math.min(m, deadline[id]);
            }
            return m;
        }
        return overflowCount > 0 ? Math.min(m, overflowMin()) : m;
    }

    // ---- allocation-free sort of batch[0, n) by (deadline, id) ------------------------------

    private boolean before(int a, int b) {
        long da = deadline[a];
        long db = deadline[b];
        return da < db || (da == db && a < b);
    }

    private void sortBatch(int n) {
        int[] a = batch;
        if (n <= INSERTION_SORT_MAX) {
            for (int i = 1; i < n; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= 0 && before(x, a[j])) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(a, i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            int x = a[0];
            a[0] = a[end];
            a[end] = x;
            siftDown(a, 0, end);
        }
    }

    private void siftDown(int[] a, int i, int n) {
        int x = a[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && before(a[c], a[c + 1])) {
                c++;
            }
            if (!before(x, a[c])) {
                break;
            }
            a[i] = a[c];
            i = c;
        }
        a[i] = x;
    }
}
