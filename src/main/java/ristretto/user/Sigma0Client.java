package ristretto.user;

import ristretto.abi.Fpage;
import ristretto.abi.Kip;
import ristretto.abi.MapItem;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;

/**
 * The client side of the sigma0 protocol (§14, {@code L4_Sigma0_GetPage}/{@code GetAny}): a Call
 * with label −6 asking for an fpage of physical memory, answered by one map item. The page
 * appears at its physical address in the caller's space (the receive window is the whole space
 * for the call). Sigma0 hands memory out first come first served, per thread: the root task's
 * region is its own, conventional memory goes to whoever asks first.
 */
public final class Sigma0Client {
    private Sigma0Client() {}

    /** Sigma0's thread ID: the first user thread (§14.1), read from the KIP. */
    public static long sigma0(L4 l4) { return ThreadId.global(Kip.userBase(l4.kip(Kip.THREAD_INFO_OFF)), 1); }

    /** Asks for the fpage of physical memory at {@code base} of 2^{@code log2} bytes; answers the fpage mapped, or nil. */
    public static long getPage(L4 l4, long base, int log2) { return request(l4, Fpage.log2(base, log2)); }

    /** Asks for any free fpage of 2^{@code log2} bytes; answers the fpage mapped (at its physical address), or nil. */
    public static long getAny(L4 l4, int log2) { return request(l4, Fpage.log2(~0L, log2)); }

    /**
     * Asks for the physical range [{@code base}, {@code base + size}), page-aligned, as the fewest
     * aligned power-of-two fpages; answers whether sigma0 mapped all of it.
     */
    public static boolean getRegion(L4 l4, long base, long size) {
        long end = base + size;
        for (long a = base; a < end; ) {
            int log2 = Math.min(Long.numberOfTrailingZeros(a), 62);     // the alignment of a (a = 0: any)
            while (log2 > 12 && (1L << log2) > end - a) log2--;
            if (Fpage.isNil(getPage(l4, a, log2))) return false;
            a += 1L << log2;
        }
        return true;
    }

    private static long request(L4 l4, long fpage) {
        long acceptor = l4.br(0);
        l4.setBr(0, MapItem.WHOLE_SPACE);
        l4.loadMsg(MsgTag.LABEL_SIGMA0, fpage, 0);
        long tag = l4.call(sigma0(l4));
        l4.setBr(0, acceptor);
        return L4.failed(tag) || MsgTag.t(tag) != 2 ? Fpage.NIL : l4.mr(2);
    }
}
