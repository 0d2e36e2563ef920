package ristretto.system;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.user.demo.DemoRoot;
import ristretto.abi.DeviceRegs;
import ristretto.kernel.Kernel;
import ristretto.machine.Machine;
import ristretto.machine.ProgrammableTimer;
import ristretto.machine.SerialDevice;
import ristretto.user.l4test.Checks;
import ristretto.user.l4test.StringChecklist;
import ristretto.user.l4test.StringFaultChecklist;

/** The demo's in-system checks (KIP, two spaces, Schedule, clock, l4test IPC and string IPC) all pass. */
class DemoTest {
    /**
     * Boots the demo as {@code ./ristretto demo} does, with the serial console and the timer
     * attached: answers the harness and the lines that came out of the console device.
     */
    static Harness runDemo(Kernel.Options options, DemoRoot root, List<String> lines) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Harness h = Harness.boot(Machine.Config.defaults(), options, root, Harness.TIME_LIMIT_NS);
        h.kernel().machine().attach(new SerialDevice(DeviceRegs.CONSOLE_LINE, new java.io.PrintStream(bytes, true)));
        h.kernel().machine().attach(new ProgrammableTimer(DeviceRegs.TIMER_LINE));
        h.runToHalt();
        lines.addAll(List.of(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")));
        return h;
    }

    @Test
    void demoChecksAllPassInsideTheBootedSystem() {
        List<String> out = new ArrayList<>(), host = new ArrayList<>();
        DemoRoot root = new DemoRoot(host::add);
        Harness h = runDemo(Harness.testOptions(), root, out);
        assertEquals(List.of(), host, "everything went through the console device, nothing through the host");
        Checks checks = root.checks();
        assertNotNull(checks, "root task never ran: " + h.console);
        assertEquals(0, checks.failed(), String.join("\n", out));
        assertTrue(checks.passed() >= 19 + StringChecklist.NAMES.size() + StringFaultChecklist.NAMES.size(), String.join("\n", out));
        assertTrue(h.console.isEmpty(), "kernel reported: " + h.console);
        assertEquals("no runnable thread and nothing left to wake", h.haltReason);
        assertTrue(out.getLast().matches("demo: \\d+ passed, 0 failed"), out.getLast());
        for (String name : List.of("Send Message transfer", "ReplyWait Message transfer", "Send timeout", "Receive timeout",
                "Local destination Id", "Send cancelled", "Receive cancelled", "From parameter (local)", "From parameter (global)"))
            assertTrue(checks.results().stream().anyMatch(r -> r.name().equals(name) && r.ok()), name);
        for (List<String> names : List.of(StringChecklist.NAMES, StringFaultChecklist.NAMES))
            for (String name : names) assertTrue(checks.results().stream().anyMatch(r -> r.name().equals(name) && r.ok()), name);
    }

    @Test
    void demoGivesTheSameResultsWithTheFastPathOff() {
        List<String> fast = new ArrayList<>(), slow = new ArrayList<>();
        runDemo(Harness.testOptions(), new DemoRoot(fast::add), fast);
        runDemo(Harness.testOptions().withFastPath(false), new DemoRoot(slow::add), slow);
        assertEquals(fast, slow);
    }
}
