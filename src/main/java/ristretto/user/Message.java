package ristretto.user;

import java.util.Arrays;
import ristretto.abi.MapItem;
import ristretto.abi.MsgTag;
import ristretto.abi.StringItem;
import ristretto.abi.Utcb;

/**
 * Builds a message in MR0.. (§2, §4): untyped words, then typed items — string items (simple,
 * with several substrings, compound) and map/grant items — in the order they are added, and
 * {@link #load}s it into a thread's MRs. No hand-packed words in user programs:
 *
 * <pre>{@code
 * new Message(label).word(42)
 *     .string(buf, 256)                   // [1x256]
 *     .string(32, a, b, c)                // [3x32], a second string
 *     .more(64, d)                        // [1x64] continuing it (compound)
 *     .load(l4);
 * }</pre>
 */
public final class Message {
    private final long label;
    private long[] untyped = new long[8], typed = new long[8];
    private int u, t;
    /** Index in {@link #typed} of the last string item's header, or -1. */
    private int lastString = -1;

    public Message(long label) { this.label = label; }

    /** Appends an untyped word. */
    public Message word(long w) {
        if (u == untyped.length) untyped = Arrays.copyOf(untyped, u * 2);
        untyped[u++] = w;
        return this;
    }

    /** Appends a simple string item: {@code length} bytes at {@code address} (a new string). */
    public Message string(long address, long length) { return string(length, new long[] {address}); }

    /** Appends a string item of {@code addresses.length} substrings of {@code length} bytes each (a new string). */
    public Message string(long length, long... addresses) { return item(length, addresses, StringItem.HINT_DEFAULT); }


    /**
     * Gives the last string item the cache allocation hint {@code hint} ({@link
     * StringItem#HINT_NO_ALLOCATE} ...); items that {@link #more} adds after it inherit it.
     */
    public Message hint(int hint) {
        if (lastString < 0) throw new IllegalStateException("hint(): no string item yet");
        typed[lastString] = StringItem.withHint(typed[lastString], hint);
        return this;
    }

    /** Appends a string item that continues the previous one (compound string: its {@code c} bit is set). */
    public Message more(long length, long... addresses) {
        if (lastString < 0) throw new IllegalStateException("more(): no string item to continue");
        typed[lastString] = StringItem.withCompound(typed[lastString]);
        return item(length, addresses, StringItem.hint(typed[lastString]));
    }

    /** Appends a map item: {@code fpage} with the rights to give, placed by {@code sendBase} (§4.5). */
    public Message map(long fpage, long sendBase) { return typedWords(MapItem.mapWord(sendBase), fpage); }

    /** Appends a grant item. */
    public Message grant(long fpage, long sendBase) { return typedWords(MapItem.grantWord(sendBase), fpage); }

    private Message item(long length, long[] addresses, int hint) {
        int header = t;
        typedWords(StringItem.header(length, addresses.length, false, false, hint));
        typedWords(addresses);
        lastString = header;
        return this;
    }

    private Message typedWords(long... words) {
        for (long w : words) {
            if (t == typed.length) typed = Arrays.copyOf(typed, t * 2);
            typed[t++] = w;
        }
        return this;
    }

    /** The untyped and typed word counts (u, t). */
    public int untypedWords() { return u; }

    public int typedWords() { return t; }

    /** The i-th typed word (0: the first item's header), as {@link #load} writes it to MR(u+1+i). */
    public long typedWord(int i) { return typed[java.util.Objects.checkIndex(i, t)]; }

    /** Writes the message into {@code l4}'s MR0..MR(u+t); more than 63 words is the caller's error. */
    public Message load(L4 l4) {
        if (u + t + 1 > Utcb.MR_COUNT) throw new IllegalStateException("message of " + (u + t) + " words: at most 63 fit the MRs");
        l4.setMr(0, MsgTag.make(label, u, t));
        for (int i = 0; i < u; i++) l4.setMr(1 + i, untyped[i]);
        for (int i = 0; i < t; i++) l4.setMr(1 + u + i, typed[i]);
        return this;
    }
}
