package ristretto.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import ristretto.abi.MsgTag;
import ristretto.abi.Timeout;
import ristretto.kernel.Kernel;
import ristretto.machine.Machine;
import ristretto.system.CarrierWatch;
import ristretto.system.Ristretto;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/**
 * A booted Ristretto system running Pistachio's pingpong (l4-x2.md §15), driven by the host one
 * batch of round trips at a time: the shape that lets JMH time real kernel work per invocation.
 *
 * <p><b>Programs.</b> The root task creates a pong and a ping thread — each in a new space
 * ({@code cross-space}) or both in its own space ({@code same-space}) — and sends ping pong's
 * ID. Pong is a server: Wait, then for ever ReplyWait to whoever called, with the tag it received,
 * so the reply carries as many untyped words as the call. Ping is the client: each batch is
 * {@code batch} Calls to pong with tag {@code u} (label 0; the MR contents are irrelevant, as in
 * Pistachio). Every IPC is thus a Call or a ReplyWait that finds its partner blocked in a receive
 * without timeout: the fast-path case (§9.8). IDs are global, as in Pistachio's modes 1 and 2;
 * a same-space pong replies to the local ID its From gave it.
 *
 * <p><b>Stepping.</b> Between batches ping sleeps (a closed receive from itself with a 1 µs
 * timeout). Nothing is then runnable, the CPU idles, virtual time jumps to the wake-up and
 * {@link Ristretto#runUntilIdle()} returns to the host with ping ready again; the next call runs
 * exactly one more batch. One {@link #batch()} is therefore {@code batch} round trips plus one
 * sleep, one timeout and one exit from and re-entry into the dispatcher: about a microsecond,
 * negligible against a batch of 10 000 round trips.
 *
 * <p><b>Thread switch.</b> {@link #threadSwitch} runs two threads A and B of the root task's space
 * that donate the CPU to each other with ThreadSwitch(other): one round trip is A&rarr;B&rarr;A
 * through the kernel dispatcher, two system calls and two continuation switches — the kernel's
 * counterpart of {@link ContinuationPingPong}. Between batches B waits in a receive from A, and A
 * wakes it with a send.
 *
 * <p>The only state shared with the host is the round counter the client thread writes after each
 * batch ({@link #rounds()}), which the host checks; user code and host run on the same carrier
 * thread, so no synchronisation is needed. Not thread-safe, like the machine it drives.
 */
public final class PingPongSystem {
    /** Virtual-time length of the sleep that hands control back to the host between batches. */
    static final int STEP_SLEEP = Timeout.period(1);

    private final Ristretto system;
    private final int batch;
    private final String name;
    /** Written by the client thread: completed round trips, and whether it reached its first sleep. */
    private long rounds;
    private boolean started;
    private long lastTag;
    /** What the kernel reported on its console (a stopped thread): any report fails the run. */
    private final List<String> kernelReports = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The carrier watch of a {@code .checked} case (reports a wedged carrier as a kernel report), or null. */
    private CarrierWatch watch;
    /** How often the watch samples: as {@code run} and {@code demo} do. */
    static final long CARRIER_WATCH_NS = 100_000_000L;

    /** Stops the carrier watch, if any. */
    public void close() {
        if (watch != null) watch.close();
    }

    /** Boots the system whose root task {@code rootFor} builds (its threads may use this host), and
     *  runs it until the client thread reaches its first batch. */
    private PingPongSystem(String name, int batch, Kernel.Options options, Function<PingPongSystem, Program> rootFor) {
        if (batch < 1) throw new IllegalArgumentException("batch must be positive");
        this.name = name;
        this.batch = batch;
        this.system = Ristretto.boot(Machine.Config.defaults(), options, rootFor.apply(this));
        this.system.kernel().setConsole(kernelReports::add);
        for (int step = 0; !started; step++) {
            String halt = system.runUntilIdle();
            if (halt != null || step > 100 || !kernelReports.isEmpty())
                throw new IllegalStateException(name + ": did not reach its first batch: "
                        + (halt != null ? halt : step > 100 ? "too many steps" : kernelReports));
        }
    }

    /**
     * A pingpong system for a case name of the form {@code same-space.Nw} or {@code cross-space.Nw},
     * optionally followed by {@code .slowpath}, {@code .nolazy} or {@code .nodirect} (that kernel
     * optimization off) or {@code .checked} (with the runtime check that stays on in {@code run}
     * and {@code demo}: the carrier watch, {@code system.CarrierWatch}, sampling as there), or
     * {@code threadswitch}.
     */
    public static PingPongSystem forVariant(String variant, int batch) {
        if (variant.equals("threadswitch")) return threadSwitch(Kernel.Options.defaults(), batch);
        String[] parts = variant.split("\\.");
        if (parts.length < 2 || parts.length > 3 || !parts[1].matches("\\d+w"))
            throw new IllegalArgumentException("unknown pingpong variant: " + variant);
        boolean crossSpace = switch (parts[0]) {
            case "same-space" -> false;
            case "cross-space" -> true;
            default -> throw new IllegalArgumentException("unknown pingpong layout: " + parts[0]);
        };
        int words = Integer.parseInt(parts[1].substring(0, parts[1].length() - 1));
        Kernel.Options options = Kernel.Options.defaults();
        boolean watched = false;
        if (parts.length == 3) {
            options = switch (parts[2]) {
                case "slowpath" -> options.withFastPath(false);
                case "nolazy" -> options.withLazyScheduling(false);
                case "nodirect" -> options.withDirectSwitch(false);
                case "checked" -> options;
                default -> throw new IllegalArgumentException("unknown kernel variant: " + parts[2]);
            };
            watched = parts[2].equals("checked");
        }
        PingPongSystem s = call(crossSpace, words, options, batch);
        if (watched) s.watch = CarrierWatch.start(s.system.kernel(), CARRIER_WATCH_NS, s.kernelReports::add);
        return s;
    }

    /** Ping Calls pong {@code batch} times per step with {@code words} untyped words each way. */
    public static PingPongSystem call(boolean crossSpace, int words, Kernel.Options options, int batch) {
        if (words < 0 || words > 63) throw new IllegalArgumentException("0..63 untyped words");
        String name = (crossSpace ? "cross-space." : "same-space.") + words + "w";
        return new PingPongSystem(name, batch, options, host -> new Program() {
            long pingIp, pongIp;

            @Override public void link(Linker l) {
                pongIp = l.entry("pingpong.pong", l4 -> {
                    l4.waitAny();
                    while (true) l4.replyWait(l4.from());          // reply with the tag received
                });
                pingIp = l.entry("pingpong.ping", l4 -> {
                    l4.receive(l4.pager());
                    long pong = l4.mr(1);
                    long tag = MsgTag.make(0, words, 0);
                    int n = host.batch;
                    host.started = true;
                    while (true) {
                        l4.sleep(STEP_SLEEP);                     // the CPU idles: back to the host
                        long r = 0;
                        for (int i = 0; i < n; i++) {
                            l4.setMr(0, tag);
                            r = l4.call(pong);
                        }
                        host.lastTag = r;
                        host.rounds += n;
                    }
                });
            }

            @Override public void main(L4 l4) {
                Threads threads = new Threads(l4);
                long pong = crossSpace ? threads.inNewSpace(pongIp, 0) : threads.inMySpace(pongIp, 0);
                long ping = crossSpace ? threads.inNewSpace(pingIp, 0) : threads.inMySpace(pingIp, 0);
                l4.loadMsg(0, pong);
                l4.send(ping);
            }
        });
    }

    /** Threads A and B donate the CPU to each other (ThreadSwitch) {@code batch} times per step. */
    public static PingPongSystem threadSwitch(Kernel.Options options, int batch) {
        return new PingPongSystem("threadswitch", batch, options, host -> new Program() {
            long aIp, bIp;

            @Override public void link(Linker l) {
                bIp = l.entry("threadswitch.b", l4 -> {
                    l4.receive(l4.pager());
                    long a = l4.mr(1);
                    int n = host.batch;
                    while (true) {
                        l4.receive(a);                              // A starts a batch
                        for (int i = 0; i < n; i++) l4.threadSwitch(a);
                    }
                });
                aIp = l.entry("threadswitch.a", l4 -> {
                    l4.receive(l4.pager());
                    long b = l4.mr(1);
                    int n = host.batch;
                    host.started = true;
                    while (true) {
                        l4.sleep(STEP_SLEEP);                     // the CPU idles: back to the host
                        l4.loadMsg(0);
                        l4.send(b);
                        for (int i = 0; i < n; i++) l4.threadSwitch(b);
                        host.rounds += n;
                    }
                });
            }

            @Override public void main(L4 l4) {
                Threads threads = new Threads(l4);
                long b = threads.inMySpace(bIp, 0);
                long a = threads.inMySpace(aIp, 0);
                l4.loadMsg(0, a);
                l4.send(b);
                l4.loadMsg(0, b);
                l4.send(a);
            }
        });
    }

    /**
     * Runs one batch: the machine runs until the client has done {@code batch} more round trips
     * and idles again. Answers the rounds done so far; throws if the step did anything else.
     */
    public long batch() {
        long before = rounds;
        String halt = system.runUntilIdle();
        if (halt != null || rounds != before + batch || MsgTag.isError(lastTag) || !kernelReports.isEmpty())
            throw new IllegalStateException(name + ": step did " + (rounds - before) + " round trips, not " + batch
                    + (halt != null ? "; machine halted: " + halt : "") + (MsgTag.isError(lastTag) ? "; IPC failed" : "")
                    + (kernelReports.isEmpty() ? "" : "; kernel: " + kernelReports));
        return rounds;
    }

    public long rounds() { return rounds; }

    public String name() { return name; }

    public Ristretto system() { return system; }
}
