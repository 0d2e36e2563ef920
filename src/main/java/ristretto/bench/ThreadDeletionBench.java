package ristretto.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.machine.Machine;
import ristretto.system.JvmOptions;
import ristretto.system.Ristretto;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;

/**
 * Cost of deleting a thread (ThreadControl with a nil space, §11.1) with 1,000 or 100,000 threads
 * alive: each thread of the root task's space, started and blocked in an open receive. A deletion
 * aborts the thread's IPC and walks only its own send queue and waiter ring, so its cost does not
 * grow with the number of threads alive (the kernel before the package split scanned the whole
 * thread table, 2^18 slots, for every deletion).
 *
 * <p>Each invocation deletes a batch of {@value #BATCH} live threads — one run of the root task,
 * which is the simulated CPU's host here as in {@link PingPongSystem}: the root sleeps 1 ms of
 * virtual time between steps (longer than any step's work), the CPU idles and the host regains
 * control. Scores are µs per deletion
 * ({@link OperationsPerInvocation}), including the root's share of one dispatch and one sleep per
 * batch. Before the next invocation (untimed, {@link Level#Invocation}) the root creates and
 * starts the batch again, so the number alive swings between {@code threads} and
 * {@code threads - }{@value #BATCH}, and the next batch is the next {@value #BATCH} threads.
 * <pre>
 * java --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED -cp target/classes:$(cat target/runtime-classpath.txt) \
 *      org.openjdk.jmh.Main ThreadDeletionBench
 * </pre>
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS, JvmOptions.QUIET, JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE, JvmOptions.COLLECTOR})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ThreadDeletionBench {

    /** Deletions per invocation. */
    public static final int BATCH = 100;

    @Param({"1000", "100000"})
    public int threads;

    private static final int IDLE = 0, DELETE = 1, REFILL = 2;

    private Ristretto system;
    /** Shared with the root task, which runs on this (the host's) thread. */
    private int command = IDLE, cursor, steps;
    private boolean created;
    private final List<String> failures = new ArrayList<>();
    private boolean refillDue;

    @Setup(Level.Trial)
    public void boot() {
        if (threads % BATCH != 0 || threads < BATCH) throw new IllegalArgumentException("threads must be a multiple of " + BATCH);
        // Four UTCBs to a kernel frame; kernel memory is the machine's top quarter.
        long kernelBytes = (threads / 4 + 1024L) * 4096;
        long memory = Math.max(64L << 20, (4 * kernelBytes + (1 << 20) - 1) & -(1L << 20));
        system = Ristretto.boot(Machine.Config.defaults().withMemory(memory), Kernel.Options.defaults(), new Program() {
            long waiterIp;

            @Override public void link(Linker l) { waiterIp = l.entry("deletion.waiter", L4::waitAny); }

            @Override public void main(L4 l4) {
                long me = l4.myGlobalId();
                int first = ThreadId.number(me) + 1;
                long utcbBase = l4.myLocalId() - Utcb.MR0_OFFSET;
                for (int i = 0; i < threads; i++) create(l4, me, first, utcbBase, i);
                created = true;
                while (true) {
                    l4.sleep(Timeout.period(1000));            // the CPU idles: back to the host
                    if (command == DELETE) {
                        for (int i = cursor; i < cursor + BATCH; i++)
                            if (!l4.threadControl(ThreadId.global(first + i, 1), ThreadId.NIL, ThreadId.NIL, ThreadId.NIL, -1))
                                failures.add("delete " + i + ": error " + l4.errorCode());
                    } else if (command == REFILL) {
                        for (int i = cursor; i < cursor + BATCH; i++) create(l4, me, first, utcbBase, i);
                        cursor = (cursor + BATCH) % threads;
                    }
                    command = IDLE;
                    steps++;
                }
            }

            private void create(L4 l4, long me, int first, long utcbBase, int i) {
                long t = ThreadId.global(first + i, 1);
                if (!l4.threadControl(t, me, me, me, utcbBase + (long) Utcb.SIZE * (1 + i))) {
                    failures.add("create " + i + ": error " + l4.errorCode());
                    return;
                }
                l4.startThread(t, waiterIp, 0);
            }
        });
        List<String> console = new ArrayList<>();
        system.kernel().setConsole(console::add);
        String halt = system.runUntilIdle();
        if (halt != null || !created || !console.isEmpty() || !failures.isEmpty() || system.kernel().liveThreads() != threads + 2)
            throw new IllegalStateException("setup: " + halt + " " + console + " " + failures + ", " + system.kernel().liveThreads() + " alive");
    }

    private void step(int what, int alive) {
        int before = steps;
        command = what;
        String halt = system.runUntilIdle();
        if (halt != null || steps == before || command != IDLE || !failures.isEmpty() || system.kernel().liveThreads() != alive)
            throw new IllegalStateException("step " + what + ": " + halt + " " + failures + ", " + system.kernel().liveThreads() + " alive");
    }

    /** Untimed: the batch deleted by the last invocation is created and started again. */
    @Setup(Level.Invocation)
    public void refill() {
        if (refillDue) step(REFILL, threads + 2);
        refillDue = false;
    }

    /** {@value #BATCH} deletions of blocked threads, {@code threads} alive (plus sigma0 and the root). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int delete() {
        step(DELETE, threads + 2 - BATCH);
        refillDue = true;
        return cursor;
    }

    @TearDown(Level.Trial)
    public void release() { system = null; }
}
