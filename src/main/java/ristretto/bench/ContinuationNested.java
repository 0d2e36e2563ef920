package ristretto.bench;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The nested continuation round trip: the JVM floor of an IPC Call that runs its server on the
 * caller's stack, as Ristretto's fast path does ({@code Processor.switchNested}).
 *
 * <p>{@link ContinuationPingPong} alternates two continuations through a dispatcher loop: two mounts
 * and two yields per round trip. A nested direct switch needs only one of each — the caller mounts
 * the callee's {@link Continuation} on its own stack with {@link Continuation#run()}, and the
 * callee's yield returns straight into the caller — so against a kernel that switches this way the
 * dispatcher loop is no longer the like-for-like comparison. This class is: the same primitive
 * pair with nothing around it but the message copy. The caller is the thread calling
 * {@link #roundTrip()} (the benchmark thread), not itself a continuation as a Ristretto client is.
 *
 * <p>Message: {@value #WORDS} {@code long} words, copied twice per round trip like an IPC transfer
 * through a message buffer: the caller copies its buffer into the message buffer, then the callee
 * copies the message buffer into its own; the callee then stamps its sequence number into word 0 of
 * the message buffer as the reply ({@link #roundTrip()} returns it), so the work cannot be optimised
 * away. That is 16 copied words and one stamped word per round trip, as in {@link ContinuationPingPong}.
 *
 * <p>Not thread-safe: one thread at a time drives an instance (the callee is mounted on the calling
 * thread). The callee's body loops for ever; an instance that is no longer referenced is simply
 * garbage collected with its stack. Requires {@code --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED}
 * at compile and run time.
 */
public final class ContinuationNested {

    /** Message words copied in per round trip, by the caller and again by the callee. */
    public static final int WORDS = ContinuationPingPong.WORDS;

    private static final ContinuationScope SCOPE = new ContinuationScope("ristretto-nested");

    private final long[] callerBuf = new long[WORDS];
    private final long[] messageBuf = new long[WORDS];
    private final long[] calleeBuf = new long[WORDS];

    private final Continuation callee;

    /** Completed round trips, counted by the caller when the callee has yielded back. */
    private long rounds;

    public ContinuationNested() {
        for (int i = 0; i < WORDS; i++) {
            callerBuf[i] = 0x100L + i;
        }
        callee = new Continuation(SCOPE, this::calleeBody);
    }

    private void calleeBody() {
        final long[] m = messageBuf;
        final long[] s = calleeBuf;
        long seq = 0;
        for (;;) {
            System.arraycopy(m, 0, s, 0, WORDS);    // receive: message buffer -> own buffer
            m[0] = ++seq;                           // reply: the sequence number in word 0
            Continuation.yield(SCOPE);              // back into the caller's run()
        }
    }

    /**
     * Performs exactly one round trip: copies the caller's words into the message buffer, mounts
     * the callee on this stack, and continues when it has yielded back.
     *
     * @return the reply, the callee's sequence number (equal to {@link #rounds()})
     */
    public long roundTrip() {
        System.arraycopy(callerBuf, 0, messageBuf, 0, WORDS);   // send: own buffer -> message buffer
        callee.run();
        rounds++;
        return messageBuf[0];
    }

    /** Round trips completed so far. */
    public long rounds() {
        return rounds;
    }

    /** The reply of the last round trip: the callee's sequence number, word 0 of the message buffer. */
    public long reply() {
        return messageBuf[0];
    }

    /** The caller's buffer: what the next round trip sends. */
    public long[] callerBuffer() {
        return callerBuf;
    }

    /** The callee's buffer: the words the last round trip delivered. */
    public long[] calleeBuffer() {
        return calleeBuf;
    }
}
