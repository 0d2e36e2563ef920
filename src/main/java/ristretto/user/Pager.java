package ristretto.user;

import java.util.HashMap;
import java.util.Map;
import ristretto.abi.Fpage;
import ristretto.abi.MsgTag;

/**
 * A user-level pager (§13.1, seed 003 "Pagefault handling"): a loop that receives the page-fault
 * messages the kernel sends on behalf of its clients and answers each with a map item, after
 * which the client's access is retried. What to map is the {@link Policy}'s choice; {@link
 * #anonymous} gives every faulting page of a client a fresh page of the pager's own memory
 * ({@link PagePool}), so pagers chain: a pager's pool pages are mapped into its own space by
 * its own pager when it first touches them (root task → pager → client).
 */
public final class Pager {
    private Pager() {}

    /** Decides a fault: the fpage of the pager's own space to map (with the rights to give), or nil to leave the client blocked. */
    @FunctionalInterface
    public interface Policy {
        long resolve(L4 l4, long client, long address, int access);
    }

    private record ClientPage(long client, long vpn) {}

    /** Whether a received tag is a page-fault message (label −2, with the access in its low bits). */
    public static boolean isPageFault(long tag) {
        return (MsgTag.label(tag) & ~7L) == MsgTag.LABEL_PAGEFAULT && MsgTag.u(tag) == 2 && MsgTag.t(tag) == 0;
    }

    /** The access (rwx: r = 4, w = 2, x = 1) of a page-fault message's tag. */
    public static int access(long tag) { return (int) (MsgTag.label(tag) & 7); }

    /**
     * Serves page faults forever: each fault the policy resolves is answered with a map item
     * placed at the fault address (the client accepts the whole space for it); anything else, and
     * faults the policy refuses, get no reply.
     */
    public static void serve(L4 l4, Policy policy) {
        long tag = l4.waitAny();
        while (true) {
            long client = l4.from();
            if (!L4.failed(tag) && isPageFault(tag)) {
                long address = l4.mr(1);
                long fpage = policy.resolve(l4, client, address, access(tag));
                if (!Fpage.isNil(fpage)) {
                    l4.loadMapItem(fpage, address);
                    tag = l4.replyWait(client);
                    continue;
                }
            }
            tag = l4.waitAny();
        }
    }

    /**
     * Anonymous memory: each page a client faults on gets a page of {@code pool}, zeroed by the
     * pool's owner as it is taken, mapped with {@code rights}; a later fault on the same page (a
     * protection fault, or after an unmap) maps the same page again, touched first, so that a
     * page the pager itself lost in the meantime is mapped back into its space by its own pager.
     * Refuses when the pool is empty.
     */
    public static Policy anonymous(PagePool pool, int rights) {
        Map<ClientPage, Long> pages = new HashMap<>();
        return (l4, client, address, access) -> {
            ClientPage key = new ClientPage(client, address >>> 12);
            Long page = pages.get(key);
            if (page == null) {
                long p = pool.take(l4);
                if (p < 0) return Fpage.NIL;
                pages.put(key, p);
                page = p;
            } else {
                l4.load(page);
            }
            return Fpage.log2(page, 12, rights);
        };
    }
}
