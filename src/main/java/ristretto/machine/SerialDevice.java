package ristretto.machine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A serial console (a UART with a FIFO). Registers ({@code ristretto.abi.SerialRegs} names them
 * for drivers; 64-bit words):
 * <pre>
 *   0x00 ID        r   "UART"
 *   0x08 STATUS    r   bit 0 RX_READY (a byte waits), bit 1 TX_READY (always)
 *   0x10 RX        r   takes the oldest byte: byte | 0x100, or 0 when none waits
 *   0x18 TX        w   the low byte goes to the host's output stream (flushed at each newline)
 *   0x20 RX_COUNT  r   bytes waiting
 * </pre>
 * Input comes from the host in two ways, and neither touches kernel state: bytes from a host
 * thread ({@link #receive}, or {@link #input} reading an {@link InputStream} on its own thread)
 * are queued here and CPU 0 is asked for an event check ({@link Cpu#requestCheck}); bytes a test
 * scripts for virtual times ({@link #script}) arrive when CPU 0's clock gets there, deterministic.
 * When CPU 0 polls, arrived bytes move into the receive FIFO and the line is raised, once per poll
 * that moved any (edge-like: a driver drains RX before it acknowledges). While an input stream is
 * open the device is {@link #external}: an idle machine waits for it.
 */
public final class SerialDevice extends Device {
    public static final int STATUS = 0x08, RX = 0x10, TX = 0x18, RX_COUNT = 0x20;
    public static final long RX_READY = 1, TX_READY = 2, RX_VALID = 0x100;

    private final PrintStream out;
    /** The receive FIFO, under the device's lock. */
    private final ArrayDeque<Byte> fifo = new ArrayDeque<>();
    /** Bytes from host threads not yet polled. */
    private final ConcurrentLinkedQueue<byte[]> fromHost = new ConcurrentLinkedQueue<>();
    /** Scripted input: times (ascending) and bytes; {@link #next} is the first not yet arrived. */
    private final List<Long> scriptNs = new ArrayList<>();
    private final List<byte[]> scriptBytes = new ArrayList<>();
    private int next;
    private volatile boolean hostOpen;
    private long received, transmitted;

    /** A console writing to {@code System.out}. */
    public SerialDevice(int line) { this(line, System.out); }

    /** A console writing to {@code out}. */
    public SerialDevice(int line, PrintStream out) {
        super(line);
        this.out = out;
    }

    @Override public long id() { return idOf("UART"); }

    /** Scripts {@code bytes} to arrive at machine time {@code atNs} (before the machine runs; times ascending). */
    public synchronized SerialDevice script(long atNs, byte[] bytes) {
        if (!scriptNs.isEmpty() && atNs < scriptNs.getLast()) throw new IllegalArgumentException("script times must ascend");
        scriptNs.add(atNs);
        scriptBytes.add(bytes.clone());
        return this;
    }

    public SerialDevice script(long atNs, String text) { return script(atNs, text.getBytes(java.nio.charset.StandardCharsets.UTF_8)); }

    /**
     * Host input, from any host thread: queues {@code bytes} and asks CPU 0 for an event check,
     * at which they arrive. Before the device is attached they wait for the first poll.
     */
    public void receive(byte[] bytes) {
        fromHost.add(bytes.clone());
        Machine m = machine();
        if (m != null) m.cpu(0).requestCheck();
    }

    /**
     * Reads {@code in} on a daemon host thread, passing what it reads to {@link #receive}, until
     * its end; until then the device is {@link #external}.
     */
    public SerialDevice input(InputStream in) {
        hostOpen = true;
        Thread.ofPlatform().daemon(true).name("ristretto-serial-input").start(() -> {
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) > 0) receive(java.util.Arrays.copyOf(buf, n));
            } catch (IOException e) {
                // the host's input ended badly: as at its end
            } finally {
                hostOpen = false;
                Machine m = machine();
                if (m != null) m.cpu(0).requestCheck();
            }
        });
        return this;
    }

    @Override public boolean external() { return hostOpen || !fromHost.isEmpty(); }

    /** The next scripted arrival; now (0) if host bytes wait to be polled. */
    @Override public synchronized long nextNs() {
        if (!fromHost.isEmpty()) return 0;
        return next < scriptNs.size() ? scriptNs.get(next) : EventQueue.NONE;
    }

    @Override public synchronized void poll(long nowNs, InterruptController pic) {
        int before = fifo.size();
        byte[] b;
        while ((b = fromHost.poll()) != null) arrive(b);
        while (next < scriptNs.size() && scriptNs.get(next) <= nowNs) arrive(scriptBytes.get(next++));
        if (fifo.size() > before) pic.raise(line());
    }

    private void arrive(byte[] bytes) {
        for (byte x : bytes) fifo.add(x);
        received += bytes.length;
    }

    @Override public synchronized long load(int offset, int bytes, long nowNs) {
        return switch (offset) {
            case ID -> id();
            case STATUS -> (fifo.isEmpty() ? 0 : RX_READY) | TX_READY;
            case RX -> fifo.isEmpty() ? 0 : RX_VALID | (fifo.poll() & 0xFF);
            case RX_COUNT -> fifo.size();
            default -> 0;
        };
    }

    @Override public synchronized void store(int offset, long value, int bytes, long nowNs) {
        if (offset != TX) return;
        out.write((int) value & 0xFF);
        transmitted++;
        if ((value & 0xFF) == '\n') out.flush();
    }

    /** Flushes what was transmitted since the last newline. */
    public void flush() { out.flush(); }

    /** Bytes that arrived in the FIFO so far. */
    public synchronized long received() { return received; }

    /** Bytes transmitted so far. */
    public synchronized long transmitted() { return transmitted; }
}
