package ristretto.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import ristretto.kernel.Kernel;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.ThreadState;
import ristretto.machine.Clock;
import ristretto.machine.Device;
import ristretto.machine.EventQueue;
import ristretto.machine.InterruptController;
import ristretto.machine.Machine;
import ristretto.system.Ristretto;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/**
 * A booted Ristretto system with one interrupt handler serving a device, driven by the host a
 * batch of interrupts at a time: the shape that lets JMH time the interrupt path ({@link Irq})
 * like {@link PingPongSystem} times IPC.
 *
 * <p><b>Programs.</b> The root task creates the handler in a space of its own, associates the
 * interrupt thread of line {@value #LINE} with it (ThreadControl, privileged) and then waits for
 * ever. The handler waits for anyone; for each message it checks that it is the interrupt
 * (label −1, From the interrupt thread), counts it, reads the machine clock, re-arms the device
 * while the batch wants more interrupts, and acknowledges and waits again in one ReplyWait to
 * the interrupt thread ({@link L4#acknowledgeAndWait}).
 *
 * <p><b>The device</b> ({@link HostDevice}) raises its line once per request ({@link
 * HostDevice#request}), as a one-shot timer does once per programming: its next time ({@link
 * Device#nextNs}) becomes the time of the request, which the CPU sees the next time it looks at
 * its devices. A request asks for no event check, so the kernel sees it when the CPU next idles
 * (idling looks at every device's next time): the line rises while the CPU is idle and the
 * handler waits — the case whose latency counts. (An event check requested at once would make the
 * handler's own next kernel entry poll the device while its line is still masked; the interrupt
 * would wait for the acknowledgement instead.) The device can raise at times nobody knows ({@link
 * Device#external}), so an idle machine with nothing requested ticks along instead of halting.
 *
 * <p><b>Batches.</b> {@link #interrupts(int) interrupts(n)} lets the handler re-arm the device
 * {@code n} times and runs the machine for {@code n} idles ({@link Ristretto#runIdles}): the
 * handler, woken by the interrupt delivered before, returns from its receive, counts it, re-arms
 * the device, acknowledges and waits; the CPU idles — on the handler's stack, but for the
 * batch's last idle, which is the dispatcher's — and polls the device, which raises its line;
 * the kernel acknowledges it at the controller, masks it, and its interrupt thread delivers the
 * message to the waiting handler, which runs on (or, after the last idle, is left ready while the
 * dispatcher returns to the host). Booting ends with one such idle, so that in every batch
 * exactly {@code n} interrupts are raised and delivered and {@code n} handled: the steady state
 * of a handler serving a device, one interrupt per idle. Every batch checks it.
 *
 * <p><b>Virtual time.</b> The device notes the machine time of each raise ({@link
 * HostDevice#lastRaiseNs}), the handler the machine time when its receive returned; their
 * difference is the interrupt latency in the simulated machine's clock ({@link
 * #virtualLatencyMeanNs}), deterministic: the interrupt's kernel entry, as the cost model charges it.
 *
 * <p>The only state shared with the host is what the handler reads and writes (the batch's
 * requests, its counts, the latency sums), set before and checked after each batch; user code
 * and host run on the same carrier thread, so no synchronisation is needed. Not thread-safe, like
 * the machine it drives.
 */
public final class IrqSystem {
    /** The device line: any line but the timer's. */
    public static final int LINE = 5;
    /** The interrupt thread of {@link #LINE}. */
    public static final long IRQ = L4.interruptThread(LINE);

    private final Ristretto system;
    private final Kernel kernel;
    private final Clock clock;
    private final HostDevice device;
    /** Written by the handler: interrupts handled, other messages, whether it reached its first receive; virtual latencies. */
    private long handled, others;
    private boolean started;
    private long latencySumNs, latencyMaxNs;
    private long handlerId;
    /** Raises the handler still asks the device for in this batch (see {@link #interrupts}). */
    private int requestsLeft;
    private final List<String> kernelReports = Collections.synchronizedList(new ArrayList<>());

    /**
     * A device raising its line on the host's request, at the next time the owning CPU looks at
     * its devices (see the class comment): one raise per request, requests before a raise merge.
     */
    public static final class HostDevice extends Device {
        private final Clock clock;
        private long dueNs = EventQueue.NONE;
        private long raised, merged, lastRaiseNs;

        public HostDevice(int line, Clock clock) {
            super(line);
            this.clock = clock;
        }

        /** Asks for one raise: the device is due from now on (the CPU sees it when it next looks at its devices). */
        public void request() {
            if (dueNs == EventQueue.NONE) dueNs = clock.nowNs();
        }

        @Override public long nextNs() { return dueNs; }

        @Override public void poll(long nowNs, InterruptController pic) {
            if (dueNs > nowNs) return;
            dueNs = EventQueue.NONE;
            if (pic.isPending(line())) merged++;
            else raised++;
            lastRaiseNs = nowNs;
            pic.raise(line());
        }

        @Override public boolean external() { return true; }

        /** Raises that set the line's pending bit. */
        public long raised() { return raised; }

        /** Raises that found the line pending already. */
        public long merged() { return merged; }

        /** The machine time of the last raise. */
        public long lastRaiseNs() { return lastRaiseNs; }
    }

    private IrqSystem(Kernel.Options options) {
        this.system = Ristretto.boot(Machine.Config.defaults(), options, root());
        this.kernel = system.kernel();
        this.clock = system.machine().clock();
        this.device = new HostDevice(LINE, clock);
        system.machine().attach(device);
        kernel.setConsole(kernelReports::add);
        for (int step = 0; !started; step++) {
            String halt = system.runUntilIdle();
            if (halt != null || step > 100 || !kernelReports.isEmpty())
                throw new IllegalStateException("irq: the handler did not reach its first receive: "
                        + (halt != null ? halt : step > 100 ? "too many steps" : kernelReports));
        }
        // The handler waits, the line is armed: the first step raises and delivers without handling.
        device.request();
        String halt = system.runUntilIdle();
        if (halt != null) throw new IllegalStateException("irq: machine halted: " + halt);
        if (device.raised() != 1 || handled != 0 || !delivered())
            throw new IllegalStateException("irq: the first interrupt was not delivered: " + describe());
    }

    /** A system with the default kernel options. */
    public static IrqSystem boot() { return new IrqSystem(Kernel.Options.defaults()); }

    /** A system with these kernel options (tests: tracing on). */
    public static IrqSystem boot(Kernel.Options options) { return new IrqSystem(options); }

    private Program root() {
        return new Program() {
            long handlerIp;

            @Override public void link(Linker l) {
                handlerIp = l.entry("irq.handler", l4 -> {
                    started = true;
                    long tag = l4.waitAny();
                    while (true) {
                        long now = clock.nowNs();                         // the handler's first instruction
                        if (L4.isInterrupt(tag) && l4.from() == IRQ) {
                            handled++;
                            long latency = now - device.lastRaiseNs();
                            latencySumNs += latency;
                            if (latency > latencyMaxNs) latencyMaxNs = latency;
                        } else {
                            others++;
                        }
                        if (requestsLeft > 0) {                          // the driver re-arms its device
                            requestsLeft--;
                            device.request();
                        }
                        tag = l4.acknowledgeAndWait(IRQ);
                    }
                });
            }

            @Override public void main(L4 l4) {
                handlerId = new Threads(l4).inNewSpace(handlerIp, 0);
                if (!l4.associateInterrupt(IRQ, handlerId)) throw new IllegalStateException("irq: association failed: " + l4.errorCode());
                while (true) l4.waitAny();
            }
        };
    }

    /**
     * Runs a batch of {@code n}: {@code n} interrupts raised, delivered and handled (see the class
     * comment). Checks that exactly that happened; answers the interrupts handled so far.
     */
    public long interrupts(int n) {
        long before = handled, raisedBefore = device.raised();
        requestsLeft = n;
        String halt = system.runIdles(n);
        if (halt != null) throw new IllegalStateException("irq: machine halted: " + halt);
        if (requestsLeft != 0 || handled != before + n || device.raised() != raisedBefore + n || device.merged() != 0 || others != 0
                || !delivered() || !kernelReports.isEmpty())
            throw new IllegalStateException("irq: " + n + " steps handled " + (handled - before) + " interrupts; " + describe());
        return handled;
    }

    /** Whether the last interrupt was delivered: its thread waits for the acknowledgement and the handler is ready. */
    private boolean delivered() {
        Tcb it = kernel.interrupts.thread(LINE);
        Tcb h = kernel.threads.lookupGlobal(handlerId);
        return it != null && it.state == ThreadState.WAITING_ACK && h != null && h.runnable()
                && kernel.machine.interruptController().isMasked(LINE);
    }

    private String describe() {
        Tcb it = kernel.interrupts.thread(LINE);
        return "raised " + device.raised() + ", merged " + device.merged() + ", handled " + handled + ", other messages " + others
                + ", interrupt thread " + (it == null ? "none" : ThreadState.name(it.state)) + (kernelReports.isEmpty() ? "" : "; kernel: " + kernelReports);
    }

    /** Interrupts the handler received and counted. */
    public long handled() { return handled; }

    /** The device. */
    public HostDevice device() { return device; }

    /** The mean interrupt latency in machine time (ns): from the raise to the handler's return from its receive. */
    public double virtualLatencyMeanNs() { return handled == 0 ? Double.NaN : (double) latencySumNs / handled; }

    /** The longest interrupt latency in machine time (ns). */
    public long virtualLatencyMaxNs() { return latencyMaxNs; }

    /** The handler's global ID. */
    public long handlerId() { return handlerId; }

    public Ristretto system() { return system; }
}
