package ristretto.bench;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The pure continuation ping-pong: the JVM "floor" that Ristretto's IPC path is measured against.
 *
 * <p>Two {@link Continuation}s of one {@link ContinuationScope} — a client and a server — alternate
 * through a dispatcher loop, the same shape as a per-CPU kernel dispatcher: a continuation that wants
 * to hand the CPU to another one stores the target in {@link #next} and yields; the loop in
 * {@link #roundTrip()} then runs whatever was named. No kernel code is involved.
 *
 * <p>Message: {@value #WORDS} {@code long} words, copied from the client's buffer into the server's
 * buffer (the request) and back from the server's buffer into the client's buffer (the reply), one
 * {@link System#arraycopy} each way per round trip. The server stamps a sequence number into word 0
 * of its reply so the result is observable ({@link #clientBuffer()}) and cannot be optimised away.
 *
 * <p>Round trip accounting. The constructor runs the client once: it issues request 0 and yields
 * naming the server. From then on the state between two calls of {@link #roundTrip()} is always
 * "request pending, server named next", and each call performs exactly two dispatches:
 * <ol>
 *   <li>run the server: it receives the request (copy client&rarr;server), replies (copy
 *       server&rarr;client) and yields naming the client;</li>
 *   <li>run the client: it consumes the reply (the round trip is complete; {@link #rounds()} is
 *       incremented), issues the next request and yields naming the server.</li>
 * </ol>
 * That is client&rarr;server&rarr;client: two continuation switches (one mount plus one yield each)
 * and 16 copied words per call. It matches the "per-CPU dispatcher loop" row of
 * {@code jvm-execution.md} (about 170 ns per round trip on the reference machine).
 *
 * <p>Not thread-safe: one thread at a time drives an instance (the continuations are mounted on the
 * calling thread). Both continuation bodies loop for ever; an instance that is no longer referenced
 * is simply garbage collected with its two stacks. Requires
 * {@code --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED} at compile and run time.
 */
public final class ContinuationPingPong {

    /** Message words copied each way per round trip. */
    public static final int WORDS = 8;

    private static final ContinuationScope SCOPE = new ContinuationScope("ristretto-pingpong");

    private final long[] clientBuf = new long[WORDS];
    private final long[] serverBuf = new long[WORDS];

    private final Continuation client;
    private final Continuation server;

    /** The continuation the dispatcher runs next; written by the yielding continuation. */
    private Continuation next;

    /** Completed round trips, counted by the client when it has consumed a reply. */
    private long rounds;

    public ContinuationPingPong() {
        for (int i = 0; i < WORDS; i++) {
            clientBuf[i] = 0x100L + i;
        }
        client = new Continuation(SCOPE, this::clientBody);
        server = new Continuation(SCOPE, this::serverBody);
        // Prime: the client issues request 0 and yields naming the server.
        client.run();
        if (next != server) {
            throw new IllegalStateException("client did not name the server");
        }
    }

    private void clientBody() {
        final Continuation srv = server;
        for (;;) {
            // Request is in clientBuf; hand the CPU to the server.
            next = srv;
            Continuation.yield(SCOPE);
            // Resumed by the dispatcher: the reply is in clientBuf. Round trip complete.
            rounds++;
        }
    }

    private void serverBody() {
        final Continuation cli = client;
        final long[] c = clientBuf;
        final long[] s = serverBuf;
        long seq = 0;
        for (;;) {
            System.arraycopy(c, 0, s, 0, WORDS);    // receive the request
            s[0] = ++seq;                           // "compute" the reply
            System.arraycopy(s, 0, c, 0, WORDS);    // send the reply
            next = cli;
            Continuation.yield(SCOPE);
        }
    }

    /**
     * Performs exactly one round trip: dispatches the server, then the client, and returns once the
     * client has consumed the reply and issued its next request.
     */
    public void roundTrip() {
        final long target = rounds + 1;
        do {
            Continuation c = next;   // dispatcher loop: run whoever was named
            c.run();
        } while (rounds != target);
    }

    /** Performs {@code n} round trips. */
    public void roundTrips(long n) {
        for (long i = 0; i < n; i++) {
            roundTrip();
        }
    }

    /** Round trips completed so far. */
    public long rounds() {
        return rounds;
    }

    /** The client's message buffer (word 0 of the last reply is the server's sequence number). */
    public long[] clientBuffer() {
        return clientBuf;
    }

    /** The server's message buffer (the last request received). */
    public long[] serverBuffer() {
        return serverBuf;
    }
}
