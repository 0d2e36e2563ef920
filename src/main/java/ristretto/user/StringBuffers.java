package ristretto.user;

import java.util.Arrays;
import ristretto.abi.StringItem;
import ristretto.abi.Utcb;

/**
 * Receive string buffers (§5.2) in BR1..BR32: each buffer is one string item, or a compound
 * chain of them ({@link #more}), and a buffer followed by another has its {@code C} bit set.
 * {@link #accept} writes them and sets the acceptor's {@code s} bit, keeping its receive window:
 *
 * <pre>{@code
 * new StringBuffers()
 *     .buffer(32, a, b, c, d).more(64, e, f)     // one buffer [4x32][2x64]
 *     .buffer(in, 256)                          // a second buffer [1x256]
 *     .accept(l4);
 * }</pre>
 */
public final class StringBuffers {
    private long[] words = new long[8];
    private int n;
    /** Index of the current buffer's first header and of the last item's header, or -1. */
    private int first = -1, last = -1;

    /** Starts a new buffer of one substring: {@code length} bytes at {@code address}. */
    public StringBuffers buffer(long address, long length) { return buffer(length, new long[] {address}); }

    /** Starts a new buffer of {@code addresses.length} substrings of {@code length} bytes each. */
    public StringBuffers buffer(long length, long... addresses) {
        if (first >= 0) words[first] = StringItem.withAnother(words[first]);
        first = n;
        return item(length, addresses);
    }

    /** Continues the current buffer with another item (compound buffer: the previous item gets {@code c}). */
    public StringBuffers more(long length, long... addresses) {
        if (last < 0) throw new IllegalStateException("more(): no buffer to continue");
        words[last] = StringItem.withCompound(words[last]);
        return item(length, addresses);
    }

    /** Gives the last item added the cache allocation hint {@code hint} ({@link StringItem#HINT_NO_ALLOCATE} ...). */
    public StringBuffers hint(int hint) {
        if (last < 0) throw new IllegalStateException("hint(): no buffer item yet");
        words[last] = StringItem.withHint(words[last], hint);
        return this;
    }

    private StringBuffers item(long length, long[] addresses) {
        last = n;
        add(StringItem.header(length, addresses.length, false, false, StringItem.HINT_DEFAULT));
        for (long a : addresses) add(a);
        return this;
    }

    private void add(long w) {
        if (n == words.length) words = Arrays.copyOf(words, n * 2);
        words[n++] = w;
    }

    /** BR words used (at most 32 fit). */
    public int size() { return n; }

    /** Writes the buffers into BR1.. and sets the acceptor's {@code s} bit (the receive window stays). */
    public StringBuffers accept(L4 l4) {
        if (n > Utcb.BR_COUNT - 1) throw new IllegalStateException(n + " buffer words: at most 32 fit BR1..BR32");
        for (int i = 0; i < n; i++) l4.setBr(1 + i, words[i]);
        l4.setBr(0, l4.br(0) | StringItem.ACCEPT_STRINGS);
        return this;
    }

    /** Clears the acceptor's {@code s} bit: no string items are accepted. */
    public static void refuse(L4 l4) { l4.setBr(0, l4.br(0) & ~StringItem.ACCEPT_STRINGS); }
}
