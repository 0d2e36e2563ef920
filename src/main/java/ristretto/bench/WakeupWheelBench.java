package ristretto.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import ristretto.kernel.time.WakeupWheel;
import ristretto.system.JvmOptions;

/**
 * Cost of the kernel's wakeup wheel with many sleepers. {@code sleepers} timers are scheduled at
 * log-uniformly random deadlines between 1 s and 4 h ahead (fixed seed); the 1,000 vs 100,000
 * parameter shows that the per-operation cost does not grow with the number of sleepers.
 *
 * <ul>
 *   <li>{@link #scheduleCancel}: schedule one more timer at a random deadline, then cancel it.
 *   <li>{@link #tick}: steady state: advance time by one 1 ms tick, expire what is due and
 *       re-arm each expired timer (from its callback) at a fresh random deadline.
 *   <li>{@link #idleJump}: an idle CPU jumping virtual time to {@link WakeupWheel#nextDeadline()}
 *       and expiring (and re-arming) the timers due there: at least one expiry per op.
 * </ul>
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {JvmOptions.EXPORTS, JvmOptions.OPENS})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WakeupWheelBench {

    private static final long MIN_SLEEP_MICROS = 1_000_000L;             // 1 s
    private static final long MAX_SLEEP_MICROS = 4L * 3_600_000_000L;    // 4 h
    private static final long TICK_MICROS = 1_000L;
    private static final int OFFSET_COUNT = 1 << 16;

    @Param({"1000", "100000"})
    public int sleepers;

    private WakeupWheel wheel;
    private long[] offsets;
    private int cursor;
    private long now;
    private int extra;
    private IntConsumer rearm;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(0x5EEDL);
        offsets = new long[OFFSET_COUNT];
        double lo = Math.log(MIN_SLEEP_MICROS);
        double hi = Math.log(MAX_SLEEP_MICROS);
        for (int i = 0; i < OFFSET_COUNT; i++) {
            offsets[i] = (long) Math.exp(lo + rnd.nextDouble() * (hi - lo));
        }
        now = 0;
        extra = sleepers;
        wheel = new WakeupWheel(sleepers + 1, now);
        for (int id = 0; id < sleepers; id++) {
            wheel.schedule(id, now + (long) Math.exp(lo + rnd.nextDouble() * (hi - lo)));
        }
        rearm = id -> wheel.schedule(id, wheel.nowMicros() + nextOffset());
    }

    private long nextOffset() {
        return offsets[cursor++ & (OFFSET_COUNT - 1)];
    }

    @Benchmark
    public boolean scheduleCancel() {
        wheel.schedule(extra, now + nextOffset());
        return wheel.cancel(extra);
    }

    @Benchmark
    public int tick() {
        now += TICK_MICROS;
        return wheel.expire(now, rearm);
    }

    @Benchmark
    public int idleJump() {
        now = wheel.nextDeadline();
        return wheel.expire(now, rearm);
    }
}
