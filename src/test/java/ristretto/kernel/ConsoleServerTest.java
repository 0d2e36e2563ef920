package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.DeviceRegs;
import ristretto.machine.SerialDevice;
import ristretto.system.Harness;
import ristretto.user.Threads;
import ristretto.user.console.Console;
import ristretto.user.console.ConsoleServer;

/**
 * The console server: clients in other spaces print with printf through IPC to the server, which
 * writes through the serial driver to the device; scripted input arrives by interrupt and is read
 * line by line, a reader waiting until its line is complete.
 */
class ConsoleServerTest {
    @Test
    void clientsPrintAndReadLinesThroughTheServerAndTheDriver() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SerialDevice serial = new SerialDevice(DeviceRegs.CONSOLE_LINE, new PrintStream(bytes, true));
        serial.script(2_000_000, "hello\nwor".getBytes(StandardCharsets.UTF_8));
        serial.script(3_000_000, "ld\n".getBytes(StandardCharsets.UTF_8));
        Scenario s = new Scenario();
        long[] server = new long[1];
        s.entry("console", l4 -> ConsoleServer.serve(l4, DeviceRegs.CONSOLE_LINE));
        s.entry("client", l4 -> {
            l4.receive(l4.pager());
            Console c = new Console(l4, l4.mr(1));
            c.printf("client %d says %s%n", 7, "hi");
            c.print("x".repeat(1000) + "\n");                  // longer than one message
            String a = c.readLine(), b = c.readLine();
            long at = l4.systemClock();
            c.printf("read [%s] [%s] by %s%n", a.strip(), b.strip(), at >= 3000 ? "3 ms" : "too early");
            l4.loadMsg(0);
            l4.send(l4.pager());
        });
        s.main(l4 -> {
            Threads threads = new Threads(l4);
            server[0] = threads.inMySpace(s.ip("console"), 0);
            Console console = Console.awaitReady(l4, server[0]);
            s.log.add("ready " + (console != null));
            long client = threads.inNewSpace(s.ip("client"), 0);
            l4.loadMsg(0, server[0]);
            l4.send(client);
            l4.receive(client);
            console.println("root done");
        });
        Harness h = Harness.boot(Scenario.MACHINE, Harness.testOptions(), s, Harness.TIME_LIMIT_NS);
        h.kernel().machine().attach(serial);
        h.runToHalt();
        assertEquals(List.of("ready true"), s.log);
        assertEquals("client 7 says hi\n" + "x".repeat(1000) + "\nread [hello] [world] by 3 ms\nroot done\n",
                bytes.toString(StandardCharsets.UTF_8));
        assertEquals(List.of(), h.kernel().invariantViolations());
        assertTrue(h.console.isEmpty(), h.console.toString());
    }
}
