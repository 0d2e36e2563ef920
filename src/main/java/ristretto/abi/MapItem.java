package ristretto.abi;

/**
 * Map and grant items (§4.2): two typed words. Word 0 holds the send base (bits 10 and up) and
 * the type in bits 1-3 — {@code 100b} map, {@code 101b} grant; word 1 is the send fpage, whose
 * rwx bits are the rights given. The acceptor (BR0, §5.1) of the receiver names the window that
 * mappings may land in: an fpage with its low four bits clear, {@link #NO_WINDOW} for none.
 */
public final class MapItem {
    private MapItem() {}

    /** Word 0 of a map item: {@code sendBase} (aligned down to 1 KiB) with type 100b. */
    public static long mapWord(long sendBase) { return (sendBase & ~0x3FFL) | 0x8; }

    /** Word 0 of a grant item: {@code sendBase} (aligned down to 1 KiB) with type 101b. */
    public static long grantWord(long sendBase) { return (sendBase & ~0x3FFL) | 0xA; }

    public static boolean isMap(long word0) { return ((word0 >>> 1) & 7) == 4; }

    public static boolean isGrant(long word0) { return ((word0 >>> 1) & 7) == 5; }

    public static long sendBase(long word0) { return word0 & ~0x3FFL; }

    /** The acceptor that takes nothing but untyped words (L4_UntypedWordsAcceptor). */
    public static final long NO_WINDOW = 0;

    /** The acceptor whose receive window is {@code fpage} (its rights ignored). */
    public static long acceptor(long windowFpage) { return windowFpage & ~0xFL; }

    /** The acceptor whose receive window is the whole address space. */
    public static final long WHOLE_SPACE = Fpage.COMPLETE;
}
