package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import ristretto.abi.IpcError;
import ristretto.user.Message;
import ristretto.user.StringBuffers;
import org.junit.jupiter.api.Test;
import ristretto.abi.DeviceRegs;
import ristretto.abi.Fpage;
import ristretto.abi.Kip;
import ristretto.abi.MsgTag;
import ristretto.abi.TimerRegs;
import ristretto.abi.BlockRegs;
import ristretto.machine.BlockDevice;
import ristretto.machine.Device;
import ristretto.machine.ProgrammableTimer;
import ristretto.machine.SerialDevice;
import ristretto.system.Harness;
import ristretto.kernel.mem.Faults;
import ristretto.user.L4;
import ristretto.user.Sigma0Client;
import ristretto.user.Threads;
import ristretto.user.drivers.BlockDriver;
import ristretto.user.drivers.DeviceMemory;
import ristretto.user.drivers.SerialDriver;

/**
 * Simulated devices with user-level drivers: device memory handed out by sigma0 on explicit
 * request only, the programmable timer's one-shot and periodic interrupts at their virtual times.
 */
class DeviceTest {
    static final int LINE = 6;
    static final long IRQ = L4.interruptThread(LINE);

    static Harness run(Scenario s, Device... devices) { return run(s, Harness.testOptions(), devices); }

    static Harness run(Scenario s, Kernel.Options options, Device... devices) {
        Harness h = Harness.boot(Scenario.MACHINE, options, s, Harness.TIME_LIMIT_NS);
        for (Device d : devices) h.kernel().machine().attach(d);
        h.runToHalt();
        Scenario.checked(h);
        return h;
    }

    @Test
    void theTimersOneShotAndPeriodicInterruptsComeAtTheirVirtualTimes() {
        Scenario s = new Scenario();
        long[] at = new long[5];
        s.main(l4 -> {
            long regs = DeviceMemory.map(l4, LINE);
            s.log.add("id " + (l4.load(regs + DeviceRegs.ID) == TimerRegs.ID_VALUE));
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            l4.store(regs + TimerRegs.DEADLINE, 500_000);
            l4.store(regs + TimerRegs.CONTROL, TimerRegs.ONE_SHOT);
            long tag = l4.waitAny();
            at[0] = l4.load(regs + TimerRegs.NOW);
            s.log.add("one-shot " + L4.isInterrupt(tag) + ", then " + l4.load(regs + TimerRegs.CONTROL));
            l4.store(regs + TimerRegs.PERIOD, 200_000);
            l4.store(regs + TimerRegs.DEADLINE, 1_000_000);
            l4.store(regs + TimerRegs.CONTROL, TimerRegs.PERIODIC);
            for (int i = 1; i <= 4; i++) {
                tag = l4.acknowledgeAndWait(IRQ);
                at[i] = l4.load(regs + TimerRegs.NOW);
                if (!L4.isInterrupt(tag)) s.log.add("not an interrupt");
            }
            l4.store(regs + TimerRegs.CONTROL, TimerRegs.STOPPED);
            s.log.add("expiries " + l4.load(regs + TimerRegs.EXPIRIES));
            l4.send(IRQ);
            s.log.add("stopped: " + L4.failed(l4.waitAny(ristretto.abi.Timeout.period(1000))));
        });
        ProgrammableTimer timer = new ProgrammableTimer(LINE);
        run(s, timer);
        assertEquals(List.of("id true", "one-shot true, then 0", "expiries 5", "stopped: true"), s.log);
        long[] due = {500_000, 1_000_000, 1_200_000, 1_400_000, 1_600_000};
        for (int i = 0; i < due.length; i++)
            assertTrue(at[i] >= due[i] && at[i] < due[i] + 5_000, "interrupt " + i + " due at " + due[i] + " ns, handled at " + at[i]);
    }

    /**
     * A device sees the machine time of the access that reaches it: every user memory access
     * before it is on the clock, though a RAM access only takes its cost from the meter's budget
     * and the clock catches up later. Between two reads of the timer's clock register, {@code n}
     * loads from RAM and the second read itself, one memory access each and nothing else.
     */
    @Test
    void aDeviceSeesTheTimeOfTheAccessThatReachesIt() {
        Scenario s = new Scenario();
        long[] at = new long[4];
        int n = 1000;
        s.main(l4 -> {
            long regs = DeviceMemory.map(l4, LINE);
            l4.store(Scenario.MEM, 1);
            at[0] = l4.load(regs + TimerRegs.NOW);
            long sum = 0;
            for (int i = 0; i < n; i++) sum += l4.load(Scenario.MEM);
            at[1] = l4.load(regs + TimerRegs.NOW);
            at[2] = sum;
            at[3] = l4.load(regs + TimerRegs.NOW);
        });
        Harness h = run(s, new ProgrammableTimer(LINE));
        long access = Scenario.MACHINE.memoryAccessNs();
        assertEquals(n, at[2]);
        assertEquals((n + 1) * access, at[1] - at[0], "n loads and the read of the register");
        assertEquals(access, at[3] - at[1], "one read of the register");
        assertTrue(h.kernel().accessInBudget, "the default machine charges accesses through the budget");
    }

    /**
     * A slow handler misses periods: the timer counts every one on its grid, and the line, masked
     * meanwhile, delivers the pending interrupt as soon as the handler acknowledges.
     */
    @Test
    void aPeriodicTimerCountsEveryPeriodWhenTheHandlerIsSlow() {
        Scenario s = new Scenario();
        List<Long> at = new ArrayList<>();
        long[] stop = new long[2];
        s.main(l4 -> {
            long regs = DeviceMemory.map(l4, LINE);
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            l4.store(regs + TimerRegs.PERIOD, 100_000);
            l4.store(regs + TimerRegs.DEADLINE, 100_000);
            l4.store(regs + TimerRegs.CONTROL, TimerRegs.PERIODIC);
            l4.receive(IRQ);
            for (int i = 0; i < 3; i++) {
                at.add(l4.load(regs + TimerRegs.NOW) / 1000);
                l4.sleepMicros(250);                                           // two or three periods pass meanwhile
                if (i < 2) l4.call(IRQ);
            }
            stop[0] = l4.load(regs + TimerRegs.NOW);
            l4.store(regs + TimerRegs.CONTROL, TimerRegs.STOPPED);
            stop[1] = l4.load(regs + TimerRegs.EXPIRIES);
            l4.send(IRQ);
        });
        run(s, new ProgrammableTimer(LINE));
        assertEquals(List.of(100L, 350L, 600L), at.stream().map(t -> t / 10 * 10).toList(), "each pending one at the acknowledgement");
        assertEquals(stop[0] / 100_000, stop[1], "one expiry per period up to the stop, at " + stop[0] + " ns");
    }

    @Test
    void deviceMemoryIsDedicatedMemoryInTheKipAboveRam() {
        Scenario s = new Scenario();
        s.main(l4 -> {
            s.log.add("base " + Long.toHexString(DeviceMemory.base(l4)));
            long kip = l4.kernelInterface();
            long info = l4.load(kip + Kip.MEMORY_INFO_OFF);
            long w0 = l4.load(kip + (info >>> 32) + 16 * ((int) info - 1)), w1 = l4.load(kip + (info >>> 32) + 16 * ((int) info - 1) + 8);
            s.log.add("last descriptor type " + (w0 & 0xF) + ", up to " + Long.toHexString(w1 | 0x3FF));
        });
        Harness h = run(s);
        long base = h.kernel().machine().deviceMemoryBase();
        assertEquals(64L << 20, base, "right above the 64 MiB of RAM");
        assertEquals(List.of("base " + Long.toHexString(base), "last descriptor type " + Kip.MEM_DEDICATED + ", up to "
                + Long.toHexString(base + 32 * DeviceRegs.SLOT_BYTES - 1)), s.log);
    }

    /**
     * Sigma0 gives a device's registers to the first thread that asks (again to it, idempotently)
     * and to no other; it never answers a page fault on device memory. The owner maps the
     * registers on to a driver in another space and unmaps them again, after which the driver's
     * access faults to its pager.
     */
    @Test
    void deviceRegistersGoToTheirOwnerByExplicitRequestOnlyAndCanBeMappedOnAndUnmapped() {
        Scenario s = new Scenario();
        long w = 0x4000_0000L;
        long[] faulter = new long[1];
        s.entry("other", l4 -> s.log.add("other thread: " + DeviceMemory.map(l4, LINE) + ", one page "
                + Fpage.isNil(Sigma0Client.getPage(l4, DeviceMemory.slot(l4, LINE), 12))));
        s.entry("faulter", l4 -> {
            l4.setPager(Sigma0Client.sigma0(l4));
            s.log.add("faulter read " + l4.load(DeviceMemory.slot(l4, LINE + 1)));   // never: sigma0 does not answer
        });
        s.entry("driver", l4 -> {
            l4.setReceiveWindow(Fpage.log2(w, DeviceRegs.SLOT_LOG2));
            l4.waitAny();
            long owner = l4.from();
            s.log.add("driver reads id: " + (l4.load(w + DeviceRegs.ID) == TimerRegs.ID_VALUE));
            l4.loadMsg(0);
            l4.call(owner);                                                         // the owner unmaps, then replies
            l4.load(w + DeviceRegs.ID);                                             // unmapped by now: a fault to its pager
            s.log.add("driver: no fault");
        });
        s.main(l4 -> {
            long regs = DeviceMemory.map(l4, LINE);
            s.log.add("owner: " + (regs == DeviceMemory.slot(l4, LINE)) + ", again " + (DeviceMemory.map(l4, LINE) == regs));
            Threads threads = new Threads(l4);
            threads.inMySpace(s.ip("other"), 0);
            faulter[0] = threads.inNewSpace(s.ip("faulter"), 0);
            long driver = threads.inNewSpace(s.ip("driver"), 0);
            l4.sleepMicros(1000);
            l4.loadMapItem(Fpage.log2(regs, DeviceRegs.SLOT_LOG2, Fpage.R | Fpage.W), 0);
            l4.send(driver);
            l4.receive(driver);
            l4.unmapFpage(Fpage.log2(regs, DeviceRegs.SLOT_LOG2, Fpage.RWX));
            l4.loadMsg(0);
            l4.send(driver);
            long tag = l4.receive(driver);
            s.log.add("driver faults: " + (MsgTag.label(tag) >>> 4 == MsgTag.LABEL_PAGEFAULT >>> 4) + " at 0x" + Long.toHexString(l4.mr(1)));
            s.log.add("owner still reads: " + (l4.load(regs + DeviceRegs.ID) == TimerRegs.ID_VALUE));
        });
        Harness h = run(s, new ProgrammableTimer(LINE), new ProgrammableTimer(LINE + 1));
        assertEquals(List.of("owner: true, again true", "other thread: -1, one page true", "driver reads id: true",
                "driver faults: true at 0x" + Long.toHexString(w), "owner still reads: true"), s.log);
        String fault = Faults.inPageFault(h.kernel().threads.lookupGlobal(faulter[0]));
        assertEquals("page fault: read at 0x" + Long.toHexString(h.kernel().machine().mmioBase(LINE + 1)), fault);
    }

    /** The console driver echoes input scripted at virtual times; each line's interrupt comes when it arrives. */
    @Test
    void theConsoleDriverEchoesScriptedInput() {
        ByteArrayOutputStream host = new ByteArrayOutputStream();
        SerialDevice serial = new SerialDevice(LINE, new PrintStream(host, true, StandardCharsets.UTF_8))
                .script(1_000_000, "hello\n").script(3_000_000, "world").script(3_500_000, "!\n");
        Scenario s = new Scenario();
        List<Long> seen = new ArrayList<>();
        s.main(l4 -> {
            SerialDriver console = SerialDriver.open(l4, LINE);
            console.print("> ");
            int[] lines = {0};
            console.serve(b -> {
                if (b == 'h' || b == 'w' || b == '!') seen.add(l4.systemClock());
                console.write(b);
                return b != '\n' || ++lines[0] < 2;
            });
            console.print("bye\n");
        });
        run(s, serial);
        assertEquals("> hello\nworld!\nbye\n", host.toString(StandardCharsets.UTF_8));
        assertEquals(13, serial.received());
        assertEquals(List.of(1000L, 3000L, 3500L), seen.stream().map(t -> t / 100 * 100).toList(), "each at its arrival, within 100 µs");
    }

    /** Input from a host stream, read on a host thread, reaches the driver through the device's queue. */
    @Test
    void hostInputReachesTheDriverThroughTheDevice() {
        ByteArrayOutputStream host = new ByteArrayOutputStream();
        SerialDevice serial = new SerialDevice(LINE, new PrintStream(host, true, StandardCharsets.UTF_8))
                .input(new ByteArrayInputStream("typed on the host.\nnot read".getBytes(StandardCharsets.UTF_8)));
        Scenario s = new Scenario();
        s.main(l4 -> {
            SerialDriver console = SerialDriver.open(l4, LINE);
            StringBuilder line = new StringBuilder();
            console.serve(b -> {
                line.append((char) b);
                return b != '\n';
            });
            console.print("[" + line.toString().strip().toUpperCase() + "]\n");
            s.log.add("left in the device: " + l4.load(console.registers() + ristretto.abi.SerialRegs.RX_COUNT));
        });
        run(s, serial);
        assertEquals("[TYPED ON THE HOST.]\n", host.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("left in the device: 8"), s.log, "\"not read\"");
    }

    /**
     * The block device, backed by a host file, read and written by a user-level driver through
     * its DMA buffer; each transfer completes at its modelled time; a range beyond the device
     * and a buffer outside RAM are refused.
     */
    @Test
    void theBlockDeviceIsReadAndWrittenByAUserLevelDriver(@TempDir Path dir) throws Exception {
        Path disk = dir.resolve("disk.img");
        byte[] image = new byte[64 * BlockRegs.SECTOR_SIZE];
        for (int i = 0; i < image.length; i++) image[i] = (byte) (i / BlockRegs.SECTOR_SIZE);
        Files.write(disk, image);
        Scenario s = new Scenario();
        s.main(l4 -> {
            BlockDriver block = BlockDriver.open(l4, LINE, 13);
            s.log.add("capacity " + block.capacity() + ", " + block.maxSectors() + " sectors a transfer");
            byte[] two = new byte[2 * BlockRegs.SECTOR_SIZE];
            long t0 = l4.systemClock();
            boolean ok = block.read(3, 2, two, 0);
            long took = l4.systemClock() - t0;
            s.log.add("read 3..4: " + ok + ", " + two[0] + " " + two[511] + " " + two[512] + " " + two[1023]
                    + ", in " + (took >= (BlockDevice.SEEK_NS + 2 * BlockDevice.SECTOR_NS) / 1000 && took < 40) );
            byte[] text = Arrays.copyOf("written by a user-level driver".getBytes(StandardCharsets.US_ASCII), BlockRegs.SECTOR_SIZE);
            s.log.add("write 10: " + block.write(10, 1, text, 0));
            byte[] back = new byte[BlockRegs.SECTOR_SIZE];
            s.log.add("read back: " + (block.read(10, 1, back, 0) && Arrays.equals(back, text)));
            s.log.add("beyond the end: " + block.read(63, 2, two, 0));
            long regs = DeviceMemory.map(l4, LINE);
            l4.store(regs + BlockRegs.SECTOR, 0);
            l4.store(regs + BlockRegs.COUNT, 1);
            l4.store(regs + BlockRegs.DMA, DeviceMemory.base(l4));
            l4.store(regs + BlockRegs.COMMAND, BlockRegs.READ);
            l4.receive(L4.interruptThread(LINE));
            s.log.add("DMA outside RAM: " + (l4.load(regs + BlockRegs.STATUS) == BlockRegs.ERROR));
            l4.send(L4.interruptThread(LINE));
        });
        try (BlockDevice device = new BlockDevice(LINE, disk)) {
            run(s, device);
            assertEquals(2, device.reads());
            assertEquals(1, device.writes());
        }
        assertEquals(List.of("capacity 64, 16 sectors a transfer", "read 3..4: true, 3 3 4 4, in true", "write 10: true",
                "read back: true", "beyond the end: false", "DMA outside RAM: true"), s.log);
        byte[] after = Files.readAllBytes(disk);
        assertEquals("written by a user-level driver", new String(after, 10 * BlockRegs.SECTOR_SIZE, 30, StandardCharsets.US_ASCII));
        assertEquals(9, after[9 * BlockRegs.SECTOR_SIZE + 511], "the sectors around it untouched");
        assertEquals(11, after[11 * BlockRegs.SECTOR_SIZE]);
    }

    /** Strings are never copied to or from device registers: a string item there is a message overflow, whatever the copy strategy. */
    @ParameterizedTest
    @EnumSource(Kernel.Copy.class)
    void aStringFromOrIntoDeviceMemoryIsAMessageOverflow(Kernel.Copy copy) {
        Scenario s = new Scenario();
        long buffer = Scenario.MEM + (1 << 20);
        long[] regs = new long[1];
        s.entry("receiver", l4 -> {
            for (long into : new long[] {buffer, regs[0] + 0x1000}) {
                new StringBuffers().buffer(into, 64).accept(l4);
                long tag = l4.waitAny();
                s.log.add("receiver: " + (L4.failed(tag) ? IpcError.toString(l4.errorCode()) : "ok"));
            }
        });
        s.main(l4 -> {
            regs[0] = DeviceMemory.map(l4, LINE);
            long receiver = new Threads(l4).inMySpace(s.ip("receiver"), 0);
            l4.sleepMicros(100);
            new Message(1).string(regs[0], 64).load(l4);
            s.log.add("from registers: " + (L4.failed(l4.send(receiver)) ? IpcError.toString(l4.errorCode()) : "ok"));
            l4.sleepMicros(100);
            new Message(1).string(buffer, 64).load(l4);
            s.log.add("into registers: " + (L4.failed(l4.send(receiver)) ? IpcError.toString(l4.errorCode()) : "ok"));
        });
        run(s, Harness.testOptions().withCopy(copy), new ProgrammableTimer(LINE));
        assertEquals(4, s.log.size(), s.log.toString());
        for (String line : s.log) assertTrue(line.contains("overflow"), s.log.toString());
    }

    /**
     * While only host input can wake the machine, the idle CPU waits for it on the host a tick at
     * a time: virtual time moves at most at the host's pace instead of racing ahead of the input
     * (without the wait, 300 ms of host time would be minutes of machine time).
     */
    @Test
    void anIdleMachineWaitsForHostInputAtTheHostsPace() throws Exception {
        java.io.PipedOutputStream keyboard = new java.io.PipedOutputStream();
        ByteArrayOutputStream host = new ByteArrayOutputStream();
        SerialDevice serial = new SerialDevice(LINE, new PrintStream(host, true, StandardCharsets.UTF_8))
                .input(new java.io.PipedInputStream(keyboard));
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        long[] hostWait = new long[1];
        Thread typist = Thread.ofPlatform().start(() -> {
            try {
                waiting.await();
                long t0 = System.nanoTime();
                Thread.sleep(300);
                hostWait[0] = (System.nanoTime() - t0) / 1000;
                keyboard.write("late\n".getBytes(StandardCharsets.US_ASCII));
                keyboard.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Scenario s = new Scenario();
        long[] at = new long[2];
        s.main(l4 -> {
            SerialDriver console = SerialDriver.open(l4, LINE);
            at[0] = l4.systemClock();
            waiting.countDown();                                   // (test scaffolding: a host latch, never awaited here)
            console.serve(b -> {
                at[1] = l4.systemClock();
                return false;
            });
            console.print("got it\n");
        });
        long t0 = System.nanoTime();
        run(s, serial);
        long hostMicros = (System.nanoTime() - t0) / 1000;
        typist.join();
        assertEquals("got it\n", host.toString(StandardCharsets.UTF_8));
        long waited = at[1] - at[0];
        assertTrue(waited >= 10_000 && waited <= hostMicros + 10_000, "the driver waited " + waited + " µs of machine time for input typed after "
                + hostWait[0] + " µs of host time (the run took " + hostMicros + " µs)");
    }
}
