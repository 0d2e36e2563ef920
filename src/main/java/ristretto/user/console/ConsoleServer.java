package ristretto.user.console;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import ristretto.abi.MsgTag;
import ristretto.user.L4;
import ristretto.user.drivers.SerialDriver;

/**
 * The console server (issue 11): one thread that owns the serial console through its driver and
 * serves WRITE and READ messages ({@link ConsoleProtocol}) from any thread, in one open wait that
 * also takes the device's receive interrupts. Written bytes go to the device's TX register before
 * the reply; received bytes collect into lines, and a READ is answered once a line is complete
 * (readers wait in order). The thread must be privileged (the root task's space) to take the
 * interrupt. It tells its creator (its pager) whether it opened the device, then serves for ever.
 */
public final class ConsoleServer {
    private ConsoleServer() {}

    /** The thread body: serves the serial console on {@code line}. */
    public static void serve(L4 l4, int line) {
        SerialDriver d = SerialDriver.open(l4, line);
        l4.loadMsg(ConsoleProtocol.READY, d != null ? 1 : 0);
        l4.send(l4.pager());
        if (d == null) return;
        long irq = d.interruptThread();
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        ArrayDeque<Long> readers = new ArrayDeque<>();
        long tag = l4.waitAny();
        while (true) {
            long from = l4.from();
            if (from == irq && L4.isInterrupt(tag)) {
                int b;
                while ((b = d.read()) >= 0) input.write(b);
                l4.send(irq);                                     // acknowledged: the line is unmasked
                answerReaders(l4, input, readers);
                tag = l4.waitAny();
            } else if (!L4.failed(tag) && MsgTag.label(tag) == ConsoleProtocol.WRITE) {
                d.write(ConsoleProtocol.unload(l4));
                l4.loadMsg(0);
                tag = l4.replyWait(from);
            } else if (!L4.failed(tag) && MsgTag.label(tag) == ConsoleProtocol.READ) {
                readers.add(from);
                answerReaders(l4, input, readers);
                tag = l4.waitAny();
            } else {
                tag = l4.waitAny();                               // not a console message: ignored
            }
        }
    }

    /** Answers waiting readers, one complete line each (a full message's worth counts as a line). */
    private static void answerReaders(L4 l4, ByteArrayOutputStream input, ArrayDeque<Long> readers) {
        while (!readers.isEmpty()) {
            byte[] all = input.toByteArray();
            int end = -1;
            for (int i = 0; i < all.length && i < ConsoleProtocol.MAX_BYTES; i++) if (all[i] == '\n') { end = i + 1; break; }
            if (end < 0 && all.length >= ConsoleProtocol.MAX_BYTES) end = ConsoleProtocol.MAX_BYTES;
            if (end < 0) return;
            ConsoleProtocol.load(l4, 0, all, 0, end);
            l4.reply(readers.poll());
            input.reset();
            input.write(all, end, all.length - end);
        }
    }
}
