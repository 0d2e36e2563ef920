package ristretto.user.console;

import java.nio.charset.StandardCharsets;
import ristretto.abi.MsgTag;
import ristretto.user.L4;

/**
 * A client of the {@link ConsoleServer}: {@link #printf}, {@link #println} and {@link #print}
 * send the text as WRITE messages (UTF-8, at most {@link ConsoleProtocol#MAX_BYTES} bytes a
 * message) and return once the server has written it to the device; {@link #readLine} waits for
 * a line of input. Answers false / null when the server cannot be reached.
 */
public final class Console {
    private final L4 l4;
    private final long server;

    public Console(L4 l4, long server) {
        this.l4 = l4;
        this.server = server;
    }

    /** Starts nothing: waits for the READY message of a {@link ConsoleServer} the caller created; answers a client if it opened its device, else null. */
    public static Console awaitReady(L4 l4, long server) {
        long tag = l4.receive(server);
        if (L4.failed(tag) || MsgTag.label(tag) != ConsoleProtocol.READY || l4.mr(1) != 1) return null;
        return new Console(l4, server);
    }

    public long server() { return server; }

    /** Prints {@code text}; answers whether all of it reached the device. */
    public boolean print(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off < b.length; off += ConsoleProtocol.MAX_BYTES) {
            ConsoleProtocol.load(l4, ConsoleProtocol.WRITE, b, off, Math.min(ConsoleProtocol.MAX_BYTES, b.length - off));
            if (L4.failed(l4.call(server))) return false;
        }
        return true;
    }

    public boolean println(String line) { return print(line + "\n"); }

    /** {@link String#format} then {@link #print}. */
    public boolean printf(String format, Object... args) { return print(String.format(format, args)); }

    /** The next line of input (with its newline, if it had one), or null if the server cannot be reached. */
    public String readLine() {
        l4.loadMsg(ConsoleProtocol.READ);
        if (L4.failed(l4.call(server))) return null;
        return new String(ConsoleProtocol.unload(l4), StandardCharsets.UTF_8);
    }
}
