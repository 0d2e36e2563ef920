package ristretto.user.drivers;

import java.util.function.IntPredicate;
import ristretto.abi.SerialRegs;
import ristretto.user.L4;

/**
 * A user-level driver for the serial console ({@link SerialRegs}): maps the device's registers
 * from sigma0 and takes its receive interrupts as IPC from its interrupt thread, to which the
 * calling thread is associated. Output is a store per byte to TX; input is taken from RX after
 * each interrupt, until RX reads empty, before the interrupt is acknowledged.
 */
public final class SerialDriver {
    private final L4 l4;
    private final long regs, irq;

    private SerialDriver(L4 l4, long regs, long irq) {
        this.l4 = l4;
        this.regs = regs;
        this.irq = irq;
    }

    /**
     * Opens the serial console on {@code line} for the calling thread (which must be privileged
     * to take the interrupt): maps its registers and associates its interrupt thread. Answers
     * null if sigma0 refused the registers, the device is not a serial console, or the
     * association failed.
     */
    public static SerialDriver open(L4 l4, int line) {
        long regs = DeviceMemory.map(l4, line);
        if (regs < 0 || l4.load(regs) != SerialRegs.ID_VALUE) return null;
        long irq = L4.interruptThread(line);
        return l4.associateInterrupt(irq, l4.myGlobalId()) ? new SerialDriver(l4, regs, irq) : null;
    }

    /** The device's interrupt thread. */
    public long interruptThread() { return irq; }

    /** The virtual address (= physical) of the registers. */
    public long registers() { return regs; }

    /** Transmits one byte. */
    public void write(int b) { l4.store(regs + SerialRegs.TX, b & 0xFF); }

    /** Transmits {@code bytes}. */
    public void write(byte[] bytes) { for (byte b : bytes) write(b); }

    /** Transmits {@code text} as UTF-8. */
    public void print(String text) { write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)); }

    /** Takes the next received byte, or -1 if none waits (never blocks). */
    public int read() {
        long v = l4.load(regs + SerialRegs.RX);
        return (v & SerialRegs.RX_VALID) != 0 ? (int) (v & 0xFF) : -1;
    }

    /**
     * Serves input: waits for the device's interrupts (a closed wait: other messages stay
     * queued) and hands each received byte to {@code onByte}, in order, until it answers false;
     * then acknowledges the interrupt and returns (bytes after that one stay in the device). Each acknowledgement and the wait for the next
     * interrupt are one Call to the interrupt thread.
     */
    public void serve(IntPredicate onByte) {
        l4.receive(irq);
        while (true) {
            int b;
            while ((b = read()) >= 0) {
                if (!onByte.test(b)) {
                    l4.send(irq);                               // acknowledged: the line is unmasked
                    return;
                }
            }
            l4.call(irq);
        }
    }

    /** Echoes every received byte until {@code last} has been echoed. */
    public void echoUntil(int last) {
        serve(b -> {
            write(b);
            return b != last;
        });
    }
}
