package ristretto.user;

import java.util.HashMap;
import java.util.Map;
import ristretto.abi.Fpage;
import ristretto.abi.Kip;
import ristretto.abi.MsgTag;
import ristretto.abi.ThreadId;

/**
 * Sigma0, the root pager (§14): owns physical memory (its space is physical memory, 1:1) and
 * hands it out by request. This version parses and answers the protocol:
 * <ul>
 *   <li>label −6 with u ∈ {2, 3}, t = 0: MR1 the requested fpage (base ~0 = any free page),
 *       MR2 attributes; the reply is one map item of the page, rwx, at its physical address,
 *       or a map item with a nil fpage when refused. An explicit base may also name
 *       non-conventional memory (the KIP's dedicated, boot-loader and architecture-specific
 *       descriptors: device registers); "any" requests take conventional memory only;</li>
 *   <li>label −2 (page fault), u = 2: the smallest page holding the address, conventional only;
 *       a fault on memory the client may not have gets no reply (the thread stays blocked in its
 *       fault, where a report shows it, instead of faulting again and again);</li>
 *   <li>label −1001, MR1 = 2: pool dump, an empty reply if MR2 ≠ 0;</li>
 *   <li>anything else: no reply at all.</li>
 * </ul>
 * Ownership is per requesting thread ID, and repeated requests by the owner are idempotent.
 * The kernel makes sigma0's own mappings as it touches or maps pages (its space is physical
 * memory), so a map item's send base is the physical address.
 */
public final class Sigma0 implements Program {
    static final long LABEL_DEBUG = MsgTag.protocolLabel(-1001);
    private static final int PAGE_BITS = 12;

    /** Page number → owning thread (anythread = shared). */
    private final Map<Long, Long> owner = new HashMap<>();
    private long conventionalLow, conventionalHigh;   // physical, inclusive low / exclusive high
    /** Non-conventional regions, [low, high) pairs: handed out by explicit request only (§14.4). */
    private final java.util.List<long[]> nonConventional = new java.util.ArrayList<>();
    private long nextFree;

    @Override public void main(L4 l4) {
        readMemoryDescriptors(l4);
        long tag = l4.waitAny();
        while (true) {
            long client = l4.from();
            boolean reply = !L4.failed(tag) && handle(l4, tag, client);
            tag = reply ? l4.replyWait(client) : l4.waitAny();
        }
    }

    private void readMemoryDescriptors(L4 l4) {
        long kip = l4.kernelInterface();
        long info = l4.load(kip + Kip.MEMORY_INFO_OFF);
        int n = (int) info;
        long off = info >>> 32;
        for (int i = 0; i < n; i++) {
            long w0 = l4.load(kip + off + 16L * i), w1 = l4.load(kip + off + 16L * i + 8);
            boolean virtual = (w0 & (1 << 9)) != 0;
            long low = w0 & ~0x3FFL, high = (w1 & ~0x3FFL) + 0x400;
            if (virtual) continue;
            int type = (int) (w0 & 0xF);
            if (type == Kip.MEM_CONVENTIONAL) { conventionalLow = low; conventionalHigh = high; }
            else if (type == Kip.MEM_DEDICATED || type == Kip.MEM_BOOTLOADER || type == Kip.MEM_ARCH) nonConventional.add(new long[] {low, high});
        }
        long rootLow = l4.load(kip + Kip.ROOT_SERVER_OFF + 16), rootHigh = l4.load(kip + Kip.ROOT_SERVER_OFF + 24) + 1;
        long sysInfo = l4.load(kip + Kip.THREAD_INFO_OFF);
        long rootTask = ThreadId.global(Kip.userBase(sysInfo) + 2, 1);   // the root task owns its region
        for (long a = rootLow; a < rootHigh; a += 1L << PAGE_BITS) owner.put(a >>> PAGE_BITS, rootTask);
        nextFree = conventionalLow;
    }

    /** Parses one request; answers true when a reply was loaded into the MRs. */
    private boolean handle(L4 l4, long tag, long client) {
        long label = MsgTag.label(tag);
        int u = MsgTag.u(tag), t = MsgTag.t(tag);
        if (label == MsgTag.LABEL_SIGMA0 && (u == 2 || u == 3) && t == 0) {
            long req = l4.mr(1);
            int s = Fpage.log2Size(req);
            long fp = s < PAGE_BITS ? Fpage.NIL : grant(client, (req & ~0x3FFL) == ~0x3FFL ? -1 : Fpage.address(req), s, true);
            loadMapItem(l4, fp);
            return true;
        }
        if (label == (MsgTag.LABEL_PAGEFAULT | (label & 7)) && u == 2 && t == 0) {
            long page = grant(client, l4.mr(1) & ~((1L << PAGE_BITS) - 1), PAGE_BITS, false);
            if (Fpage.isNil(page)) return false;     // not memory the client may have: no reply, it stays blocked
            loadMapItem(l4, page);
            return true;
        }
        if (label == LABEL_DEBUG && u >= 2 && l4.mr(1) == 2) {
            l4.setMr(0, 0);
            return l4.mr(2) != 0;
        }
        return false;
    }

    /** Allocates the fpage of 2^s bytes at {@code base} (or any free one) to {@code client}. */
    private long grant(long client, long base, int s, boolean explicit) {
        long size = 1L << s;
        if (base < 0) {
            base = (nextFree + size - 1) & -size;
            while (base + size <= conventionalHigh && !free(base, size, client)) base += size;
            if (base + size > conventionalHigh) return Fpage.NIL;
            nextFree = base + size;
        } else if (!(within(base, size, conventionalLow, conventionalHigh) || explicit && nonConventional(base, size))
                || !free(base, size, client)) {
            return Fpage.NIL;
        }
        for (long a = base; a < base + size; a += 1L << PAGE_BITS) owner.put(a >>> PAGE_BITS, client);
        return Fpage.log2(base, s, Fpage.RWX);
    }

    private static boolean within(long base, long size, long low, long high) { return base >= low && base + size <= high; }

    private boolean nonConventional(long base, long size) {
        for (long[] r : nonConventional) if (within(base, size, r[0], r[1])) return true;
        return false;
    }

    private boolean free(long base, long size, long client) {
        for (long a = base; a < base + size; a += 1L << PAGE_BITS) {
            Long o = owner.get(a >>> PAGE_BITS);
            if (o != null && o != client && o != ThreadId.ANY) return false;
        }
        return true;
    }

    /** One map item: send base = the page's physical address, fpage rwx (§14.3). */
    private static void loadMapItem(L4 l4, long fpage) { l4.loadMapItem(fpage, Fpage.address(fpage)); }
}
