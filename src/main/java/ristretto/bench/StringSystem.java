package ristretto.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.abi.MsgTag;
import ristretto.kernel.Kernel;
import ristretto.machine.CostModel;
import ristretto.machine.Cpu;
import ristretto.machine.Machine;
import ristretto.system.Ristretto;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Message;
import ristretto.user.Program;
import ristretto.user.StringBuffers;
import ristretto.user.Threads;

/**
 * A booted Ristretto system sending long messages (string items, §4.3), driven by the host one
 * batch at a time like {@link PingPongSystem}: the root task sleeps 1 µs between batches, the CPU
 * idles, and {@link Ristretto#runUntilIdle()} returns to the host.
 *
 * <p>The root task is the sender, in its own space; the receiver is a thread in a new space. Both
 * buffers are mapped before the first batch, so no batch faults: the sender's string is in the
 * root task's region (mapped 1:1 from sigma0 at boot, at {@link #SRC}), and the root task maps
 * the receiver a 4 MiB fpage of that region (frames at {@link #DST_FRAMES}) at {@link #DST} by a
 * map item. Each message is a Call from the root task carrying one simple string item of {@code
 * size} bytes from {@code SRC} into the receiver's one receive buffer at {@code DST}; the receiver
 * answers with an empty reply (ReplyWait) and waits for the next. One operation is one message
 * delivered (its string copied, its reply received). The kernel copies with the strategy the
 * system was booted with ({@link Kernel.Copy}); with the cost model on, the CPU's {@link
 * CostModel} counts each copy ({@link #costs()}).
 *
 * <p>The receiver checks every message it gets (no error, one string item of {@code size} bytes)
 * and counts it; {@link #batch()} checks that the batch delivered all its messages. Not
 * thread-safe, like the machine it drives.
 */
public final class StringSystem {
    /**
     * The sender's string, in the root task's 1:1 region (at most 4 MiB): 32 pages in, so that its
     * pages and the receiver's ({@link #DST}, and the window's) fall in different entries of the
     * direct-mapped TLB (indexed by page number mod 64), as buffers of two programs usually do.
     */
    public static final long SRC = Ristretto.ROOT_MEMORY_BASE + (32L << 12);
    /** The frames of the receiver's buffer: the upper half of the root task's region, 4 MiB aligned. */
    public static final long DST_FRAMES = Ristretto.ROOT_MEMORY_BASE + (8L << 20);
    /** The receiver's buffer in its own space (4 MiB aligned: one selection of the temporary-mapping window covers it). */
    public static final long DST = 0x4000_0000L;
    /** The largest string: the map item and the longest substring (2^22 bytes). */
    public static final int MAX_SIZE = 4 << 20;
    private static final int BUFFER_LOG2 = 22;
    private static final long LABEL = 0x57;

    private final String name;
    private final long size;
    private final int messages;
    private final Ristretto system;
    private final Cpu cpu;
    /** Written by user threads: messages the receiver got, whether the sender reached its first batch, the first error seen. */
    private long received;
    private boolean started;
    private String failure;
    private final List<String> kernelReports = Collections.synchronizedList(new ArrayList<>());

    /**
     * Boots the system: strings of {@code size} bytes (1 .. 4 MiB), {@code messages} per batch,
     * copied by {@code copy}, with the cost model on if {@code costModel}; the send string and
     * the receive buffer carry the cache allocation hint {@code hint}. Runs it until the sender
     * reaches its first batch.
     */
    public StringSystem(Kernel.Copy copy, long size, int messages, boolean costModel, int hint) {
        if (size < 1 || size > MAX_SIZE) throw new IllegalArgumentException("string of 1 .. 4 MiB, not " + size);
        if (messages < 1) throw new IllegalArgumentException("messages per batch must be positive");
        this.name = strategyName(copy) + "." + sizeName(size);
        this.size = size;
        this.messages = messages;
        Kernel.Options options = Kernel.Options.defaults().withCopy(copy).withCostModel(costModel);
        this.system = Ristretto.boot(Machine.Config.defaults(), options, root(hint));
        this.cpu = system.machine().cpu(0);
        system.kernel().setConsole(kernelReports::add);
        for (int step = 0; !started; step++) {
            String halt = system.runUntilIdle();
            if (halt != null || step > 100 || !kernelReports.isEmpty() || failure != null)
                throw new IllegalStateException(name + ": did not reach its first batch: "
                        + (halt != null ? halt : step > 100 ? "too many steps" : failure != null ? failure : kernelReports));
        }
    }

    /**
     * The system of a bench case's variant {@code STRATEGY.SIZE}: {@code copyinout} or {@code
     * tempmap}, and {@code 4k}, {@code 64k}, {@code 1m} or {@code 4m} (any {@code Nk} or {@code
     * Nm} up to 4m); {@code batchBytes / size} messages per batch, cost model off.
     */
    public static StringSystem forVariant(String variant, long batchBytes) {
        int dot = variant.indexOf('.');
        if (dot < 0) throw new IllegalArgumentException("string variant STRATEGY.SIZE, not " + variant);
        Kernel.Copy copy = strategy(variant.substring(0, dot));
        long size = parseSize(variant.substring(dot + 1));
        return new StringSystem(copy, size, (int) Math.max(1, batchBytes / size), false, 0);
    }

    /** {@code copyinout} or {@code tempmap}: the case names' word for a strategy. */
    public static String strategyName(Kernel.Copy copy) {
        return copy == Kernel.Copy.COPY_IN_OUT ? "copyinout" : "tempmap";
    }

    static Kernel.Copy strategy(String word) {
        return switch (word) {
            case "copyinout" -> Kernel.Copy.COPY_IN_OUT;
            case "tempmap" -> Kernel.Copy.TEMPORARY_MAPPING;
            default -> throw new IllegalArgumentException("unknown copy strategy: " + word + " (copyinout, tempmap)");
        };
    }

    /** {@code 4k}, {@code 1m}: bytes. */
    public static long parseSize(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        long unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : 0;
        if (unit == 0) throw new IllegalArgumentException("size Nk or Nm, not " + s);
        long n = Long.parseLong(t.substring(0, t.length() - 1)) * unit;
        if (n < 1 || n > MAX_SIZE) throw new IllegalArgumentException("size up to 4m, not " + s);
        return n;
    }

    /** The case names' word for a size: {@code 4k}, {@code 64k}, {@code 1m}, {@code 4m}. */
    public static String sizeName(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + "m" : bytes % 1024 == 0 ? (bytes >> 10) + "k" : bytes + "b";
    }

    private Program root(int hint) {
        StringSystem host = this;
        return new Program() {
            long receiverIp;

            @Override public void link(Linker l) {
                receiverIp = l.entry("strings.receiver", l4 -> {
                    l4.setReceiveWindow(Fpage.log2(DST, BUFFER_LOG2));
                    new StringBuffers().buffer(DST, size).hint(hint).accept(l4);
                    long tag = l4.waitAny();                             // the map item of the buffer's pages
                    if (L4.failed(tag)) host.fail("receiving the buffer's pages: " + IpcError.toString(l4.errorCode()));
                    while (true) {
                        l4.loadMsg(0);
                        tag = l4.replyWait(l4.from());
                        if (L4.failed(tag) || MsgTag.label(tag) != LABEL || MsgTag.t(tag) != 2)
                            host.fail("received tag " + Long.toHexString(tag) + (L4.failed(tag) ? ": " + IpcError.toString(l4.errorCode()) : ""));
                        else host.received++;
                    }
                });
            }

            @Override public void main(L4 l4) {
                long receiver = new Threads(l4).inNewSpace(receiverIp, 0);
                byte[] pattern = new byte[(int) size];
                for (int i = 0; i < pattern.length; i++) pattern[i] = pattern(i);
                l4.write(SRC, pattern);
                l4.loadMapItem(Fpage.log2(DST_FRAMES, BUFFER_LOG2, Fpage.RWX), 0);
                if (L4.failed(l4.call(receiver))) host.fail("mapping the receiver's buffer: " + IpcError.toString(l4.errorCode()));
                Message m = new Message(LABEL).string(SRC, size).hint(hint);
                host.started = true;
                while (true) {
                    l4.sleep(PingPongSystem.STEP_SLEEP);                 // the CPU idles: back to the host
                    for (int i = 0; i < messages; i++) {
                        m.load(l4);
                        if (L4.failed(l4.call(receiver))) host.fail("sending: " + IpcError.toString(l4.errorCode()));
                    }
                }
            }
        };
    }

    /** The byte at offset {@code i} of the sender's string. */
    public static byte pattern(long i) { return (byte) (i * 31 + (i >>> 12)); }

    private void fail(String what) {
        if (failure == null) failure = what;
    }

    /**
     * Runs one batch: the machine runs until the sender has sent its {@link #messages()} messages
     * and idles again. Throws unless the receiver got all of them, each without error. Answers the
     * messages received so far.
     */
    public long batch() {
        long before = received;
        String halt = system.runUntilIdle();
        if (halt != null || received != before + messages || failure != null || !kernelReports.isEmpty())
            throw new IllegalStateException(name + ": batch delivered " + (received - before) + " messages, not " + messages
                    + (halt != null ? "; machine halted: " + halt : "") + (failure != null ? "; " + failure : "")
                    + (kernelReports.isEmpty() ? "" : "; kernel: " + kernelReports));
        return received;
    }

    /** Whether the receiver's buffer holds the sender's string (read from physical memory). */
    public boolean delivered() {
        var phys = system.kernel().phys;
        for (long i = 0; i < size; i++)
            if (phys.get(java.lang.foreign.ValueLayout.JAVA_BYTE, DST_FRAMES + i) != pattern(i)) return false;
        return true;
    }

    /** The CPU's cost model, or null when the system was booted without it. */
    public CostModel costs() { return cpu.costs(); }

    /** The CPU the strings are copied on (its TLB misses, its window selections). */
    public Cpu cpu() { return cpu; }

    public long size() { return size; }

    public int messages() { return messages; }

    public long received() { return received; }

    public String name() { return name; }

    public Ristretto system() { return system; }
}
