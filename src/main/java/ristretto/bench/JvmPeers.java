package ristretto.bench;

import java.time.Duration;
import java.util.concurrent.Exchanger;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import ristretto.system.JvmOptions;

/**
 * JVM "peer" baselines of the pingpong benchmark: the same client&rarr;server&rarr;client round trip
 * with no kernel at all, over five JVM switching mechanisms. Every benchmark invocation is exactly
 * one round trip and copies {@value ContinuationPingPong#WORDS} {@code long} words twice: in the
 * nested peer the request, from the client's {@code long[8]} through a message buffer into the
 * server's (see {@link ContinuationNested}); in the others the server copies the client's
 * {@code long[8]} into its own {@code long[8]} (request) and back (reply). Every server stamps a
 * sequence number into word 0 of the reply; the client returns it (consumed by JMH).
 *
 * <ol>
 *   <li>{@link #continuationPingpong}: two raw {@code Continuation}s and a dispatcher loop on the
 *       benchmark thread (the original floor; no other thread involved);</li>
 *   <li>{@link #continuationNested}: the benchmark thread mounts one raw {@code Continuation} on its
 *       own stack and the continuation yields back, as Ristretto's nested direct switch does (the
 *       honest floor of the L4 Call);</li>
 *   <li>{@link #vthreadHandoff}: park/unpark between the benchmark thread and a virtual server, both
 *       virtual threads on the default scheduler (see the method for why the fork uses JMH's virtual
 *       executor);</li>
 *   <li>{@link #synchronousQueuePlatform}: platform client and server over a request and a reply
 *       {@code SynchronousQueue};</li>
 *   <li>{@link #exchangerPlatform}: platform client and server, two {@code Exchanger} rendezvous per
 *       round trip.</li>
 * </ol>
 * The two platform-thread peers are bimodal on a small machine: while both threads keep spinning on
 * separate CPUs a handoff costs a few cache-line transfers (hundreds of ns); once one side falls back
 * to parking it costs an OS wake-up (tens of µs). Compare medians over several forks.
 *
 * <p>Server threads are started in {@code @Setup(Level.Trial)} and stopped in
 * {@code @TearDown(Level.Trial)} by interrupt + join; they are daemon threads (virtual threads always
 * are), so a failed stop cannot hang the fork.
 *
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED \
 *      -cp target/classes:$(cat target/runtime-classpath.txt) org.openjdk.jmh.Main JvmPeers -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS, JvmOptions.QUIET, JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE, JvmOptions.COLLECTOR})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JvmPeers {

    static final int WORDS = ContinuationPingPong.WORDS;
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    static long[] message() {
        long[] m = new long[WORDS];
        for (int i = 0; i < WORDS; i++) {
            m[i] = 0x100L + i;
        }
        return m;
    }

    static void stop(Thread t) throws InterruptedException {
        if (t == null) {
            return;
        }
        t.interrupt();
        if (!t.join(STOP_TIMEOUT)) {
            throw new IllegalStateException("server thread " + t + " did not stop");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 1. Raw continuations, dispatcher loop on the benchmark thread (the original floor).

    @State(Scope.Thread)
    public static class ContinuationState {
        ContinuationPingPong pp;

        @Setup(Level.Trial)
        public void setup() {
            pp = new ContinuationPingPong();
        }

        @TearDown(Level.Trial)
        public void check() {
            if (pp.clientBuffer()[0] != pp.rounds()) {
                throw new IllegalStateException("reply " + pp.clientBuffer()[0] + " after " + pp.rounds() + " rounds");
            }
            pp = null;
        }
    }

    /**
     * One round trip: the benchmark thread is the dispatcher; {@link ContinuationPingPong#roundTrip()}
     * runs the server continuation (request pending), then the client continuation (reply consumed,
     * next request issued), i.e. two continuation switches per invocation.
     */
    @Benchmark
    public long continuationPingpong(ContinuationState st) {
        ContinuationPingPong pp = st.pp;
        pp.roundTrip();
        return pp.clientBuffer()[0];
    }

    // ---------------------------------------------------------------------------------------------
    // 2. A raw continuation nested on the benchmark thread's stack (the honest floor).

    @State(Scope.Thread)
    public static class NestedState {
        ContinuationNested cn;

        @Setup(Level.Trial)
        public void setup() {
            cn = new ContinuationNested();
        }

        @TearDown(Level.Trial)
        public void check() {
            if (cn.reply() != cn.rounds()) {
                throw new IllegalStateException("reply " + cn.reply() + " after " + cn.rounds() + " rounds");
            }
            cn = null;
        }
    }

    /**
     * One round trip: {@link ContinuationNested#roundTrip()} copies the request into the message
     * buffer and mounts the callee on the benchmark thread's stack; the callee copies it into its
     * own buffer and yields back. One continuation mount and one yield per invocation, the switches
     * of an L4 Call and its reply on the fast path.
     */
    @Benchmark
    public long continuationNested(NestedState st) {
        return st.cn.roundTrip();
    }

    // ---------------------------------------------------------------------------------------------
    // 3. Virtual thread server, park/unpark handoff, default scheduler.

    @State(Scope.Thread)
    public static class VThreadState {
        final long[] clientBuf = message();
        final long[] serverBuf = new long[WORDS];
        /** Sequence number of the last request issued by the client. */
        volatile long request;
        /** Sequence number of the last reply sent by the server. */
        volatile long reply;
        /** The thread to unpark with the reply (the JMH worker running the benchmark). */
        volatile Thread client;
        long seq;
        Thread server;

        @Setup(Level.Trial)
        public void setup() {
            server = Thread.ofVirtual().name("peer-vthread-server").start(this::serve);
        }

        private void serve() {
            long seen = 0;
            for (;;) {
                long r;
                while ((r = request) == seen) {
                    if (Thread.interrupted()) {
                        return;
                    }
                    LockSupport.park(this);
                }
                seen = r;
                System.arraycopy(clientBuf, 0, serverBuf, 0, WORDS);   // receive
                serverBuf[0] = r;
                System.arraycopy(serverBuf, 0, clientBuf, 0, WORDS);   // reply
                reply = r;
                LockSupport.unpark(client);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop(server);
            server = null;
        }
    }

    /**
     * One round trip: the benchmark thread (client) publishes request {@code n}, unparks the virtual
     * server, and parks until the server has published reply {@code n} and unparked it.
     *
     * <p>The fork runs JMH's workers as virtual threads ({@code -Djmh.executor=VIRTUAL}, JMH 1.37), so
     * the client is itself a virtual thread and this is a virtual&harr;virtual handoff on the default
     * scheduler. With JMH's default platform worker the client's park/unpark would be an OS-level
     * futex wait/wake (plus waking an idle carrier) on every round trip: about 25 µs on the 2-vCPU
     * guest, the same order as {@link #synchronousQueuePlatform}, and no longer a virtual-thread
     * figure. Passing {@code -jvmArgsAppend} on the command line replaces these arguments.
     *
     * <p>Allocation: the default scheduler wraps each unpark in a {@code ForkJoinTask} (2 &times; 32 B
     * per round trip); on top of that the client's park freezes JMH's deep worker stack, which
     * allocates {@code StackChunk}s (about 350 B per round trip), a cost a shallow-stacked virtual
     * client does not pay.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS, JvmOptions.QUIET, JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE, JvmOptions.COLLECTOR,
            "-Djmh.executor=VIRTUAL"})
    public long vthreadHandoff(VThreadState st) {
        Thread me = Thread.currentThread();
        if (st.client != me) {
            st.client = me;   // once per worker thread; published before the request below
        }
        long n = ++st.seq;
        st.request = n;
        LockSupport.unpark(st.server);
        while (st.reply != n) {
            LockSupport.park(st);
        }
        return st.clientBuf[0];
    }

    // ---------------------------------------------------------------------------------------------
    // 4. Platform threads, two SynchronousQueues (request, reply).

    @State(Scope.Thread)
    public static class SynchronousQueueState {
        final long[] clientBuf = message();
        final long[] serverBuf = new long[WORDS];
        final SynchronousQueue<long[]> requests = new SynchronousQueue<>();
        final SynchronousQueue<long[]> replies = new SynchronousQueue<>();
        Thread server;

        @Setup(Level.Trial)
        public void setup() {
            server = Thread.ofPlatform().daemon(true).name("peer-syncqueue-server").start(this::serve);
        }

        private void serve() {
            long seq = 0;
            try {
                for (;;) {
                    long[] req = requests.take();
                    System.arraycopy(req, 0, serverBuf, 0, WORDS);     // receive
                    serverBuf[0] = ++seq;
                    System.arraycopy(serverBuf, 0, req, 0, WORDS);     // reply
                    replies.put(req);
                }
            } catch (InterruptedException e) {
                // stop
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop(server);
            server = null;
        }
    }

    /** One round trip: put the request buffer on the request queue, take it back from the reply queue. */
    @Benchmark
    public long synchronousQueuePlatform(SynchronousQueueState st) throws InterruptedException {
        st.requests.put(st.clientBuf);
        return st.replies.take()[0];
    }

    // ---------------------------------------------------------------------------------------------
    // 5. Platform threads, one Exchanger, two rendezvous per round trip.

    @State(Scope.Thread)
    public static class ExchangerState {
        final long[] clientBuf = message();
        final long[] serverBuf = new long[WORDS];
        final Exchanger<long[]> exchanger = new Exchanger<>();
        Thread server;

        @Setup(Level.Trial)
        public void setup() {
            server = Thread.ofPlatform().daemon(true).name("peer-exchanger-server").start(this::serve);
        }

        private void serve() {
            long seq = 0;
            try {
                for (;;) {
                    long[] req = exchanger.exchange(null);                 // rendezvous 1: request in
                    System.arraycopy(req, 0, serverBuf, 0, WORDS);         // receive
                    serverBuf[0] = ++seq;
                    System.arraycopy(serverBuf, 0, req, 0, WORDS);         // reply
                    exchanger.exchange(req);                               // rendezvous 2: reply out
                }
            } catch (InterruptedException e) {
                // stop
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop(server);
            server = null;
        }
    }

    /**
     * One round trip: the first exchange hands the request buffer to the server (the server offers
     * nothing), the second returns once the server has written the reply and offers it back.
     */
    @Benchmark
    public long exchangerPlatform(ExchangerState st) throws InterruptedException {
        Exchanger<long[]> ex = st.exchanger;
        ex.exchange(st.clientBuf);
        return ex.exchange(null)[0];
    }
}
