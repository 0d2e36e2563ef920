package ristretto.user.demo;

import ristretto.abi.DeviceRegs;
import ristretto.abi.TimerRegs;
import ristretto.user.console.Console;
import ristretto.user.console.ConsoleServer;
import ristretto.user.drivers.DeviceMemory;
import java.util.function.Consumer;
import ristretto.abi.ErrorCode;
import ristretto.abi.Fpage;
import ristretto.abi.Kip;
import ristretto.abi.MsgTag;
import ristretto.abi.Schedule;
import ristretto.abi.ThreadId;
import ristretto.abi.Timeout;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.PagePool;
import ristretto.user.Pager;
import ristretto.user.Sigma0Client;
import ristretto.user.Program;
import ristretto.user.Threads;
import ristretto.user.programs.Spinner;
import ristretto.user.l4test.Checks;
import ristretto.user.l4test.IpcChecklist;
import ristretto.user.l4test.StringChecklist;
import ristretto.user.l4test.StringFaultChecklist;

/**
 * The demo root task: prints a KIP summary, creates threads in two new address spaces, runs
 * IPC between them, schedules them, reads the clock, then runs the l4test IPC and string IPC
 * checklists (without and with page faults), and ends with {@code demo: N passed, M failed}.
 */
public final class DemoRoot implements Program {
    /**
     * Where the demo prints: the console server ({@link ConsoleServer}, through the serial
     * console's driver and IPC) once it is up; before that, or on a machine without a console
     * device, the host's consumer given to the constructor.
     */
    private Consumer<String> out;
    private final IpcChecklist checklist = new IpcChecklist();
    private final StringChecklist strings = new StringChecklist();
    private final StringFaultChecklist stringFaults = new StringFaultChecklist();
    private Checks checks;
    private long server, client, spinner, pager, memClient, consoleServer, ticker;
    /** Bytes the console server wrote to its device, and whether the demo printed through it. */
    private boolean throughConsole;
    /** The memory the demo's pager hands out: 64 KiB the root task got from sigma0. */
    private long pool;
    /** Loop iterations per round of each spinner: about 30 ms of machine time, three timeslices. */
    static final long SPIN = 2_000_000;

    public DemoRoot(Consumer<String> out) { this.out = out; }

    @Override public void link(Linker l) {
        checklist.link(l);
        consoleServer = l.entry("console.server", l4 -> ConsoleServer.serve(l4, DeviceRegs.CONSOLE_LINE));
        ticker = l.entry("demo.ticker", this::ticker);
        strings.link(l);
        stringFaults.link(l);
        spinner = l.image(SPINNER);
        server = l.entry("demo.server", l4 -> {          // adds 1 to MR1 for every caller
            long tag = l4.waitAny();
            while (true) {
                long from = l4.from();
                l4.loadMsg(MsgTag.label(tag) + 1, l4.mr(1) + 1, from);
                tag = l4.replyWait(from);
            }
        });
        pager = l.entry("demo.pager", l4 -> Pager.serve(l4, Pager.anonymous(new PagePool(pool, 1 << 16), Fpage.RWX)));
        memClient = l.entry("demo.memclient", l4 -> {   // touches 16 fresh pages, served by the pager it is told
            long root = l4.pager();
            l4.receive(root);
            l4.setPager(l4.mr(1));
            long t0 = l4.systemClock();
            for (int i = 0; i < 16; i++) l4.store(0x4000_0000L + 4096L * i, i);
            long sum = 0;
            for (int i = 0; i < 16; i++) sum += l4.load(0x4000_0000L + 4096L * i);
            l4.loadMsg(3, sum, l4.systemClock() - t0);
            l4.send(root);
            l4.receive(l4.myGlobalId());
        });
        client = l.entry("demo.client", l4 -> {          // calls the server named in its set-up message
            l4.receive(l4.pager());
            long srv = l4.mr(1);
            long sum = 0;
            for (int i = 0; i < 100; i++) {
                l4.loadMsg(1, i);
                long tag = l4.call(srv);
                if (L4.failed(tag)) break;
                sum += l4.mr(1);
            }
            long seenAs = l4.mr(2);
            l4.loadMsg(2, sum, seenAs, l4.systemClock());
            l4.send(l4.pager());
            l4.receive(l4.myGlobalId());
        });
    }

    public Checks checks() { return checks; }

    /** The compute-bound program the demo starts twice, as a program image (one space each). */
    static final String SPINNER = "ristretto.user.programs.Spinner";

    /**
     * Two spinners at one priority compute without entering the kernel; only their yieldpoints let
     * the kernel take the CPU at each timeslice's end, so their rounds interleave. Each reports a
     * round when it ends; the order the reports arrive in shows who had the CPU.
     */
    private void computePair(L4 l4, Threads threads) {
        out.accept("a compute-bound pair sharing the CPU by preemption:");
        long t0 = l4.systemClock();
        long a = threads.inNewSpace(spinner, SPIN), b = threads.inNewSpace(spinner, SPIN);
        StringBuilder order = new StringBuilder();
        int[] rounds = new int[2];
        boolean inOrder = true;
        for (int i = 0; i < 2 * Spinner.ROUNDS; i++) {
            long tag = l4.receive(ThreadId.ANY);
            long from = l4.from();
            int who = from == a ? 0 : from == b ? 1 : -1;
            if (L4.failed(tag) || who < 0 || MsgTag.label(tag) != Spinner.PROGRESS) {
                inOrder = false;
                break;
            }
            inOrder &= l4.mr(1) == ++rounds[who];
            order.append(order.isEmpty() ? "" : " ").append(who == 0 ? 'A' : 'B').append(l4.mr(1));
        }
        long took = l4.systemClock() - t0;
        out.accept("  reports: " + order + " in " + took + " µs of machine time");
        boolean interleaved = order.length() >= 5 && order.charAt(0) != order.charAt(3);
        checks.check("two spinners at one priority both finish their rounds in order", inOrder
                && rounds[0] == Spinner.ROUNDS && rounds[1] == Spinner.ROUNDS, order.toString());
        checks.check("yieldpoints preempt them: their rounds interleave", interleaved, order.toString());
        threads.kill(a);
        threads.kill(b);
    }

    @Override public void main(L4 l4) {
        Console console = Console.awaitReady(l4, new Threads(l4, CONSOLE_OFFSET).inMySpace(consoleServer, 0));
        if (console != null) {
            out = console::println;
            throughConsole = true;
        }
        checks = new Checks(out);
        kipSummary(l4);
        out.accept("threads in two spaces:");
        Threads threads = new Threads(l4);
        long srv = threads.inNewSpace(server, 0);
        long cl1 = threads.inNewSpace(client, 0);
        long cl2 = threads.inSpaceOf(cl1, 1, client, 0);
        checks.check("threads created in two new spaces", srv != cl1 && cl1 != cl2, "");
        checks.check("Schedule: priorities set", l4.setPriority(cl1, 90) != Schedule.ERROR && l4.setPriority(cl2, 80) != Schedule.ERROR, ErrorCode.name(l4.errorCode()));
        l4.threadSwitch(srv);                 // donate the CPU: the server runs until it waits
        checks.check("Schedule: a server waiting for a client is 'waiting'", l4.threadState(srv) == Schedule.WAITING, Schedule.resultName(l4.threadState(srv)));
        long t0 = l4.systemClock();
        for (long c : new long[] {cl1, cl2}) { l4.loadMsg(0, srv); l4.send(c); }
        long[] sums = new long[2], seen = new long[2];
        for (int i = 0; i < 2; i++) {
            long c = i == 0 ? cl1 : cl2;
            l4.receive(c);
            sums[i] = l4.mr(1);
            seen[i] = l4.mr(2);
        }
        long t1 = l4.systemClock();
        checks.check("cross-space calls: 2 clients x 100 calls answered", sums[0] == 5050 && sums[1] == 5050, sums[0] + "," + sums[1]);
        checks.check("From parameter is the caller's global ID across spaces", seen[0] == cl1 && seen[1] == cl2, ThreadId.toString(seen[0]));
        long order = l4.threadState(cl1);
        checks.check("Schedule: a finished client blocked in receive is 'waiting'", order == Schedule.WAITING, Schedule.resultName(order));
        out.accept(String.format("  400 IPCs took %d µs of virtual time", t1 - t0));
        long before = l4.systemClock();
        l4.sleep(Timeout.period(2500));
        long slept = l4.systemClock() - before;
        // Exactly 2500 on the virtual clock (it jumps to the deadline); at least 2500 on the real one.
        checks.check("SystemClock: Sleep(2500 µs) advances the clock by at least 2500 µs", slept >= 2500, slept + " µs");
        out.accept(String.format("  Sleep(2500 µs) took %d µs", slept));
        checks.check("ThreadControl refuses a kernel thread ID with 'invalid thread'",
                !l4.threadControl(ThreadId.global(1, 1), l4.myGlobalId(), l4.myGlobalId(), ThreadId.NIL, -1)
                        && l4.errorCode() == ErrorCode.INVALID_THREAD, ErrorCode.name(l4.errorCode()));
        checks.check("ExRegs local -> global -> local", l4.globalIdOf(l4.myLocalId()) == l4.myGlobalId(), "");
        for (long t : new long[] {cl2, cl1, srv}) threads.kill(t);
        boolean gone = true;
        for (long t : new long[] {cl2, cl1, srv}) gone &= l4.threadState(t) == Schedule.ERROR && l4.errorCode() == ErrorCode.INVALID_THREAD;
        checks.check("ThreadControl deletes the threads and their spaces", gone, "");
        computePair(l4, threads);
        memory(l4, threads);
        interrupts(l4, threads);
        out.accept("l4test IPC checklist:");
        checklist.run(l4, checks);
        out.accept("l4test string IPC checklist (no page faults):");
        strings.run(l4, checks);
        out.accept("l4test string IPC checklist (page faults):");
        stringFaults.run(l4, checks);
        out.accept(String.format("demo: %d passed, %d failed", checks.passed(), checks.failed()));
    }

    /** Where the console server's thread number and UTCB slot lie, apart from the other threads the demo and its checklists make. */
    static final int CONSOLE_OFFSET = 250;
    /** The demo timer's period (ns of machine time) and the ticks it counts. */
    static final long TICK_NS = 100_000;
    static final int TICKS = 5;

    /**
     * Interrupts as IPC: the console's output went through its driver; a handler thread takes
     * the programmable timer's interrupts — a one-shot at its deadline, then periodic ticks, one
     * message each, the line masked until each acknowledgement — and reports the machine times.
     */
    private void interrupts(L4 l4, Threads threads) {
        out.accept("interrupts: the console driver and a timer handler:");
        checks.check("the demo prints through the console server and the serial driver (interrupts as IPC)", throughConsole,
                "no console device: printing through the host");
        long h = threads.inMySpace(ticker, 0);
        l4.setPriority(h, 200);
        long tag = l4.receive(h);
        long oneShot = l4.mr(1), first = l4.mr(2), last = l4.mr(3), n = l4.mr(4);
        boolean ok = !L4.failed(tag) && MsgTag.label(tag) == 1;
        out.accept(String.format("  one-shot at +%d ns; %d ticks from %d to %d ns of machine time", oneShot, n, first, last));
        checks.check("a one-shot timer interrupt arrives at its deadline", ok && oneShot >= 500_000 && oneShot < 505_000, oneShot + " ns");
        checks.check("periodic timer interrupts: one message per tick, each after the acknowledgement of the last",
                ok && n == TICKS && last - first >= (TICKS - 1) * TICK_NS && last - first < TICKS * TICK_NS, n + " ticks");
        threads.kill(h);
    }

    /** The timer handler: maps the timer, associates its line, takes a one-shot and {@link #TICKS} periodic ticks, reports. */
    private void ticker(L4 l4) {
        long regs = DeviceMemory.map(l4, DeviceRegs.TIMER_LINE);
        long irq = L4.interruptThread(DeviceRegs.TIMER_LINE);
        if (regs < 0 || l4.load(regs) != TimerRegs.ID_VALUE || !l4.associateInterrupt(irq, l4.myGlobalId())) {
            l4.loadMsg(0);
            l4.send(l4.pager());
            return;
        }
        long t0 = l4.load(regs + TimerRegs.NOW);
        l4.store(regs + TimerRegs.DEADLINE, t0 + 500_000);
        l4.store(regs + TimerRegs.CONTROL, TimerRegs.ONE_SHOT);
        l4.receive(irq);
        long oneShot = l4.load(regs + TimerRegs.NOW) - t0;
        l4.store(regs + TimerRegs.PERIOD, TICK_NS);
        l4.store(regs + TimerRegs.DEADLINE, 0);
        l4.store(regs + TimerRegs.CONTROL, TimerRegs.PERIODIC);
        long first = 0, last = 0;
        int n = 0;
        for (int i = 0; i < TICKS; i++) {
            long tag = l4.call(irq);                                 // acknowledge, and wait for the next tick
            if (!L4.isInterrupt(tag)) break;
            last = l4.load(regs + TimerRegs.NOW);
            if (n++ == 0) first = last;
        }
        l4.store(regs + TimerRegs.CONTROL, TimerRegs.STOPPED);
        l4.send(irq);
        l4.deassociateInterrupt(irq);
        l4.loadMsg(1, oneShot, first, last, n);
        l4.send(l4.pager());
    }

    /**
     * Memory from sigma0 and a user-level pager: the root task asks sigma0 for 64 KiB; a pager
     * thread hands its pages out to a client in a new space, one per fault; flushing the 64 KiB
     * revokes the client's pages too, and reports that they were written.
     */
    private void memory(L4 l4, Threads threads) {
        out.accept("memory: sigma0, a pager and its client:");
        pool = Sigma0Client.getAny(l4, 16);
        boolean got = !Fpage.isNil(pool) && Fpage.log2Size(pool) == 16;
        pool = Fpage.address(pool);
        if (got) l4.store(pool, 42);
        checks.check("sigma0 gives the root task 64 KiB of free memory, mapped 1:1", got && l4.load(pool) == 42,
                "fpage at 0x" + Long.toHexString(pool));
        if (!got) return;
        long p = threads.inMySpace(pager, 0), c = threads.inNewSpace(memClient, 0);
        l4.loadMsg(0, p);
        l4.send(c);
        long tag = l4.receive(c);
        long sum = l4.mr(1), took = l4.mr(2);
        out.accept(String.format("  the client's 16 page faults were served by the pager in %d µs of machine time", took));
        checks.check("a user-level pager maps a page on each fault of its client", !L4.failed(tag) && sum == 120, "sum " + sum);
        int status = Fpage.rights(l4.flush(Fpage.log2(pool, 16, Fpage.RWX)));
        checks.check("Unmap revokes through the pager to the client and reports the pages written",
                (status & Fpage.W) != 0, "status " + status);
        threads.kill(c);
        threads.kill(p);
    }

    private void kipSummary(L4 l4) {
        long kip = l4.kernelInterface();
        long version = l4.load(kip + Kip.API_VERSION_OFF), info = l4.load(kip + Kip.THREAD_INFO_OFF);
        long mem = l4.load(kip + Kip.MEMORY_INFO_OFF);
        out.accept(String.format("KIP at 0x%x: magic %s, API version 0x%x.%02x, %d-bit, %d CPU(s)", kip,
                l4.load(kip) == Kip.MAGIC ? "L4\\346K" : "BAD", (version >>> 24) & 0xFF, (version >>> 16) & 0xFF,
                (l4.load(kip + Kip.API_FLAGS_OFF) & 0xC) == 4 ? 64 : 32, Kip.processors(l4.load(kip + Kip.PROCESSOR_INFO_OFF))));
        out.accept(String.format("  threads: %d significant bits, system base %d, user base %d; sigma0 %s, root %s",
                Kip.threadBits(info), Kip.systemBase(info), Kip.userBase(info),
                ThreadId.toString(ThreadId.global(Kip.userBase(info), 1)), ThreadId.toString(l4.myGlobalId())));
        long utcb = l4.load(kip + Kip.UTCB_AREA_INFO_OFF);
        out.accept(String.format("  UTCB size %d, minimal area 2^%d; KIP area 2^%d; %d memory descriptors; clock tick %d µs",
                Kip.utcbSize(utcb), Kip.utcbMinAreaLog2(utcb), l4.load(kip + Kip.KIP_AREA_INFO_OFF), (int) mem,
                l4.load(kip + Kip.CLOCK_INFO_OFF) >>> 16));
        checks.check("KIP magic and X.2 API version", l4.load(kip) == Kip.MAGIC && version == Kip.API_VERSION, "");
    }
}
