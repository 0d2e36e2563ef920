package ristretto.system;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.function.Consumer;
import ristretto.abi.ThreadId;
import ristretto.kernel.Kernel;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Tcb;

/**
 * The safety net under the verifier: a host thread that watches the carriers of a running
 * machine and reports, once, a CPU whose carrier user code has left blocked inside the JVM.
 *
 * <p>User code may not take Java monitors or call blocking JDK methods (the loader refuses such
 * classes), but JDK code it calls may still block the carrier: a JDK method that holds a monitor
 * while it calls back into user code which then enters the kernel and blocks (a Call from inside
 * {@code Hashtable.computeIfAbsent}, say), so that the next L4 thread on that CPU to enter the
 * same monitor blocks the carrier for good — on JDK 25 a continuation keeps its monitors when it
 * yields, so the switch itself does not fail. Nothing the kernel does on the carrier can undo
 * that, so no check per kernel entry could: the carrier is simply observed from outside, at no
 * cost to the running machine. A carrier that is BLOCKED or WAITING, outside the kernel's own
 * idling, at two samples in a row with the same L4 thread current, is wedged.
 *
 * <p>The report names the CPU, the L4 thread, what the carrier waits for and who holds it, and
 * the top of the carrier's stack; then {@code onWedged} decides (the run command ends the JVM
 * with the failure status, as its wall-clock limit does).
 */
public final class CarrierWatch implements AutoCloseable {
    private final Kernel kernel;
    private final long periodNs;
    private final Consumer<String> onWedged;
    private final Thread thread;
    private volatile boolean closed;

    private CarrierWatch(Kernel kernel, long periodNs, Consumer<String> onWedged) {
        this.kernel = kernel;
        this.periodNs = periodNs;
        this.onWedged = onWedged;
        this.thread = Thread.ofPlatform().daemon(true).name("ristretto-carrier-watch").unstarted(this::watch);
    }

    /** Starts watching {@code kernel}'s carriers every {@code periodNs}; {@code onWedged} gets the report, once. */
    public static CarrierWatch start(Kernel kernel, long periodNs, Consumer<String> onWedged) {
        CarrierWatch w = new CarrierWatch(kernel, periodNs, onWedged);
        w.thread.start();
        return w;
    }

    private void watch() {
        Processor[] cpus = kernel.processors;
        Tcb[] suspect = new Tcb[cpus.length];
        try {
            while (!closed) {
                Thread.sleep(java.time.Duration.ofNanos(periodNs));
                for (int i = 0; i < cpus.length; i++) {
                    Processor p = cpus[i];
                    Thread carrier = p.carrier;
                    Tcb running = p.current;
                    boolean blocked = carrier != null && !p.idling && running != null && switch (carrier.getState()) {
                        case BLOCKED, WAITING, TIMED_WAITING -> true;
                        default -> false;
                    };
                    if (!blocked) {
                        suspect[i] = null;
                    } else if (suspect[i] != running) {
                        suspect[i] = running;                 // the first sighting: look again next period
                    } else if (!closed) {
                        onWedged.accept(report(p, carrier, running));
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** What the carrier of {@code p} is stuck on, in one paragraph. */
    static String report(Processor p, Thread carrier, Tcb t) {
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(new long[] {carrier.threadId()}, true, false)[0];
        StringBuilder b = new StringBuilder("CPU ").append(p.id).append(" is wedged: L4 thread ")
                .append(ThreadId.toString(t.globalId)).append(" left its carrier ")
                .append(carrier.getState()).append(" in Java code");
        if (info != null && info.getLockName() != null) {
            b.append(" on ").append(info.getLockName());
            if (info.getLockOwnerName() != null) b.append(" held by ").append(info.getLockOwnerName());
        }
        b.append(": a JDK call blocked, or held a Java monitor across a kernel entry (user code must not)");
        StackTraceElement[] stack = carrier.getStackTrace();
        for (int i = 0; i < Math.min(stack.length, 8); i++) b.append("\n    at ").append(stack[i]);
        return b.toString();
    }

    @Override public void close() {
        closed = true;
        thread.interrupt();
    }
}
