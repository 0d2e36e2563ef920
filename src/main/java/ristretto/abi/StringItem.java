package ristretto.abi;

/**
 * String items (§4.3) and receive string buffers (§5.2): a header word and one start address
 * per substring. Header: bit 0 {@code C} (in receive buffers: another buffer follows this one),
 * bits 1-2 the cache allocation hint, bit 3 clear (the type: a string), bits 4-8 the number of
 * substrings − 1, bit 9 {@code c} (compound: the next item continues the same string), bits 10
 * and up the length in bytes of each substring. The same encoding serves the send side (MRs)
 * and the receive side (BR1 and up), where the acceptor's {@code s} bit (BR0 bit 0) announces
 * the buffers.
 */
public final class StringItem {
    private StringItem() {}

    /** The longest substring this kernel copies (2^22 bytes, the length field of 32-bit X.2). */
    public static final long MAX_LENGTH = 1L << 22;
    /** Substrings per item: 1..32 (the 5-bit field holds the count − 1). */
    public static final int MAX_SUBSTRINGS = 32;

    /** Cache allocation hints (bits 1-2, §4.3): default, allocate new lines, do not allocate, allocate only in L1. */
    public static final int HINT_DEFAULT = 0, HINT_ALLOCATE = 1, HINT_NO_ALLOCATE = 2, HINT_L1_ONLY = 3;

    /** Acceptor (BR0) bit 0: string items are accepted, BR1 and up hold the receive buffers. */
    public static final long ACCEPT_STRINGS = 1;

    static final long C_NEXT_BUFFER = 1, COMPOUND = 1L << 9;
    private static final int LENGTH_SHIFT = 10;

    /**
     * A header word: {@code substrings} substrings of {@code length} bytes each; {@code compound}
     * sets {@code c} (the next item continues this string), {@code another} sets {@code C} (receive
     * buffers: a further buffer follows), {@code hint} the cache allocation hint.
     */
    public static long header(long length, int substrings, boolean compound, boolean another, int hint) {
        if (substrings < 1 || substrings > MAX_SUBSTRINGS) throw new IllegalArgumentException("1..32 substrings: " + substrings);
        if (length < 0 || length >= 1L << (64 - LENGTH_SHIFT)) throw new IllegalArgumentException("length " + length);
        return length << LENGTH_SHIFT | (compound ? COMPOUND : 0) | (long) (substrings - 1) << 4
                | (long) (hint & 3) << 1 | (another ? C_NEXT_BUFFER : 0);
    }

    /** Whether a typed item's first word is a string item (type bit 3 clear). */
    public static boolean isString(long word0) { return (word0 & 8) == 0; }

    public static long length(long header) { return header >>> LENGTH_SHIFT; }

    public static int substrings(long header) { return (int) ((header >>> 4) & 0x1F) + 1; }

    /** Words the item occupies: the header and one address per substring. */
    public static int words(long header) { return substrings(header) + 1; }

    public static boolean compound(long header) { return (header & COMPOUND) != 0; }

    /** Receive buffers: {@code C} on the first item of a buffer, another buffer follows. */
    public static boolean another(long header) { return (header & C_NEXT_BUFFER) != 0; }

    public static int hint(long header) { return (int) (header >>> 1) & 3; }

    /** The header with {@code c} set. */
    public static long withCompound(long header) { return header | COMPOUND; }

    /** The header with its cache allocation hint replaced by {@code hint}. */
    public static long withHint(long header, int hint) { return (header & ~(3L << 1)) | (long) (hint & 3) << 1; }

    /** The header with {@code C} set. */
    public static long withAnother(long header) { return header | C_NEXT_BUFFER; }
}
