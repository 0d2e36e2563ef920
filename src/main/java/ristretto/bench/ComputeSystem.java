package ristretto.bench;

import java.util.function.LongUnaryOperator;
import ristretto.abi.Timeout;
import ristretto.kernel.Kernel;
import ristretto.machine.Machine;
import ristretto.system.Ristretto;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;

/**
 * A booted Ristretto system whose root task runs a compute kernel, driven by the host one batch
 * at a time like {@link PingPongSystem}: each step the root task wakes from a 1 µs sleep, calls
 * the kernel {@code batch} times and sleeps again, so the CPU idles and control returns to the
 * host. The kernel thus runs on an L4 thread under the real meter: with yieldpoints its bytecodes
 * cost virtual time, the timer and the end of the timeslice come due, and the thread's checks
 * enter the dispatcher as they would in any program.
 */
final class ComputeSystem {
    private final Ristretto system;
    private final int batch;
    private long rounds, sink;
    private boolean started;

    ComputeSystem(LongUnaryOperator kernel, int batch) {
        this.batch = batch;
        this.system = Ristretto.boot(Machine.Config.defaults(), Kernel.Options.defaults(), new Program() {
            @Override public void link(Linker linker) {}

            @Override public void main(L4 l4) {
                started = true;
                while (true) {
                    l4.sleep(Timeout.period(1));                  // the CPU idles: back to the host
                    long r = 0;
                    for (int i = 0; i < batch; i++) r += kernel.applyAsLong(i);
                    sink += r;
                    rounds += batch;
                }
            }
        });
        for (int step = 0; !started; step++)
            if (system.runUntilIdle() != null || step > 100) throw new IllegalStateException("the compute system did not start");
    }

    /** Runs one batch of kernel calls; answers a value of the results, so that they are used. */
    long batch() {
        long before = rounds;
        String halt = system.runUntilIdle();
        if (halt != null || rounds != before + batch) throw new IllegalStateException("step did " + (rounds - before) + " calls, not " + batch
                + (halt != null ? "; machine halted: " + halt : ""));
        return sink;
    }

    /** Machine time so far, in ns: how much virtual time the metered batches cost. */
    long clockNs() { return system.machine().clock().nowNs(); }
}
