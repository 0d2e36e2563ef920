package ristretto.system;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.user.demo.DemoRoot;
import ristretto.user.l4test.Checks;
import ristretto.user.l4test.StringChecklist;
import ristretto.user.l4test.StringFaultChecklist;

/** The demo's in-system checks (KIP, two spaces, Schedule, clock, l4test IPC and string IPC) all pass. */
class DemoTest {
    @Test
    void demoChecksAllPassInsideTheBootedSystem() {
        List<String> out = new ArrayList<>();
        DemoRoot root = new DemoRoot(out::add);
        Harness h = Harness.run(root);
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
        Harness.run(new DemoRoot(fast::add));
        Harness.run(Harness.testOptions().withFastPath(false), new DemoRoot(slow::add));
        assertEquals(fast, slow);
    }
}
