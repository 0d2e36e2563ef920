import ristretto.abi.ThreadId;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/**
 * A tree of threads: the root task starts two branch threads in its own space; each branch
 * starts two leaves, each in a new address space of its own. A leaf is a program of its own
 * ({@link Leaf}), loaded into its space as a program image, with its own statics: code linked by
 * the root task belongs to the root task's space. A leaf sends its ID to the thread that created
 * it (its pager), a branch reports the count to the root task. Creating threads and spaces is
 * privileged: only threads of the root task's space may do it.
 */
public class ThreadTree implements Program {
    private static final int BRANCHES = 2, LEAVES = 2;
    private long branch, leaf;
    private long root;

    @Override public void link(Linker linker) {
        branch = linker.entry("branch", this::branch);
        leaf = linker.image("ThreadTree$Leaf");
    }

    @Override public void main(L4 l4) {
        root = l4.myGlobalId();
        Threads threads = new Threads(l4);                           // numbers after mine: root + 1, + 2
        long[] branches = new long[BRANCHES];
        for (int b = 0; b < BRANCHES; b++) branches[b] = threads.inMySpace(branch, b + 1);
        int total = 1 + BRANCHES;
        for (long b : branches) {
            l4.receive(b);                                           // closed receive: from this branch only
            total += (int) l4.mr(1);
        }
        System.out.println("root " + ThreadId.toString(root) + ": the tree has " + total + " threads");
    }

    private void branch(L4 l4) {
        int b = (int) l4.startSp();
        Threads threads = new Threads(l4, 10 * b);                   // a number range of its own for each branch
        long[] leaves = new long[LEAVES];
        for (int i = 0; i < LEAVES; i++) leaves[i] = threads.inNewSpace(leaf, 0);
        for (long t : leaves) {
            l4.receive(t);
            System.out.println("branch " + ThreadId.toString(l4.myGlobalId()) + ": leaf " + ThreadId.toString(l4.mr(1)) + " reported");
        }
        l4.loadMsg(0, LEAVES);
        l4.send(root);
    }

    /** A leaf, started as a program image in a space of its own. */
    public static class Leaf implements Program {
        @Override public void main(L4 l4) {
            l4.loadMsg(0, l4.myGlobalId());
            l4.send(l4.pager());                                     // the branch that created me is my pager
        }
    }
}
