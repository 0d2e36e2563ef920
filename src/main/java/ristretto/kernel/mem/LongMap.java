package ristretto.kernel.mem;

import java.util.Arrays;

/**
 * A small open-addressing map from non-negative {@code long} keys (page numbers) to objects:
 * linear probing over parallel arrays, backward-shift deletion (no tombstones), grown at 3/4
 * load. About 16-24 bytes per entry and no boxing, where a {@code HashMap<Long, V>} costs some
 * 50; a space holds one entry per mapped page.
 */
final class LongMap<V> {
    private static final long EMPTY = -1;
    private long[] keys = newKeys(16);
    private Object[] values = new Object[16];
    private int size;

    /** Called with each entry by {@link #forEach}. */
    interface Visitor<V> { void visit(long key, V value); }

    int size() { return size; }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (keys[i] == key) return (V) values[i];
            if (keys[i] == EMPTY) return null;
        }
    }

    void put(long key, V value) {
        if (key < 0) throw new IllegalArgumentException("negative key");
        int mask = keys.length - 1, i = slot(key, mask);
        while (keys[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        if (keys[i] == EMPTY) {
            if (++size * 4 > keys.length * 3) { grow(); put(key, value); return; }
            keys[i] = key;
        }
        values[i] = value;
    }

    void remove(long key) {
        int mask = keys.length - 1, i = slot(key, mask);
        while (keys[i] != key) {
            if (keys[i] == EMPTY) return;
            i = (i + 1) & mask;
        }
        size--;
        // Backward shift: move later entries of the probe run into the hole when their home allows.
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - i) & mask)) {
                keys[i] = keys[j];
                values[i] = values[j];
                i = j;
            }
        }
        keys[i] = EMPTY;
        values[i] = null;
    }

    @SuppressWarnings("unchecked")
    void forEach(Visitor<V> v) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != EMPTY) v.visit(keys[i], (V) values[i]);
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = newKeys(oldKeys.length * 2);
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) if (oldKeys[i] != EMPTY) put(oldKeys[i], cast(oldValues[i]));
    }

    @SuppressWarnings("unchecked")
    private V cast(Object o) { return (V) o; }

    private static int slot(long key, int mask) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private static long[] newKeys(int n) {
        long[] k = new long[n];
        Arrays.fill(k, EMPTY);
        return k;
    }
}
