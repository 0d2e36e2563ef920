package ristretto.user.programs;

import ristretto.abi.MsgTag;
import ristretto.user.L4;
import ristretto.user.Program;

/**
 * A compute-bound program: {@link #ROUNDS} rounds of arithmetic with no system call and no
 * memory access inside a round, so only its yieldpoints can preempt it. After each round it sends
 * its pager (who started it) a progress report: label {@link #PROGRESS}, the round and the value
 * computed. The start-up SP word is the number of loop iterations per round.
 */
public final class Spinner implements Program {
    public static final int ROUNDS = 4;
    public static final long PROGRESS = 0x5B1;

    @Override public void main(L4 l4) {
        long iterations = l4.startSp();
        long x = l4.myGlobalId();
        for (int round = 1; round <= ROUNDS; round++) {
            for (long i = 0; i < iterations; i++) x = x * 31 + 7;       // never enters the kernel
            l4.setMr(0, MsgTag.make(PROGRESS, 2, 0));
            l4.setMr(1, round);
            l4.setMr(2, x);
            l4.send(l4.pager());
        }
    }
}
