package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.l4test.Checks;
import ristretto.user.l4test.IpcChecklist;

/**
 * The l4test "Simple IPC" checklist (§16.2): the one implementation in {@code user/l4test}, the
 * code the demo runs, booted here as a root task and checked item by item — with tracing on (as
 * tests run), off (as users and benchmarks run) and without the fast path. Each item checks what
 * l4test's does and more: error codes and phases, MR0, the clock a timeout took, what
 * ExchangeRegisters saw of a cancelled thread, local and global From IDs.
 */
class IpcChecklistTest {
    /** A root task that runs the checklist and keeps its results. */
    static final class ChecklistRoot implements Program {
        final IpcChecklist checklist = new IpcChecklist();
        final List<String> out = new ArrayList<>();
        Checks checks;

        @Override public void link(Linker linker) { checklist.link(linker); }

        @Override public void main(L4 l4) {
            checks = new Checks(out::add);
            checklist.run(l4, checks);
        }
    }

    static Stream<Arguments> configurations() {
        Kernel.Options traced = Harness.testOptions();
        return Stream.of(Arguments.of("traced", traced), Arguments.of("untraced", traced.withTracing(false)),
                Arguments.of("slow path", traced.withFastPath(false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void everyItemOfTheChecklistPasses(String name, Kernel.Options options) {
        ChecklistRoot root = new ChecklistRoot();
        Harness h = Harness.run(Scenario.MACHINE, options, root);
        assertNotNull(root.checks, "the root task never ran: " + h.console);
        List<String> names = root.checks.results().stream().map(Checks.Result::name).toList();
        assertEquals(IpcChecklist.NAMES, names, "every item ran, once, in order");
        for (Checks.Result r : root.checks.results()) assertTrue(r.ok(), r.name() + ": " + r.detail() + "\n" + String.join("\n", root.out));
        assertEquals("no runnable thread and nothing left to wake", h.haltReason);
        assertTrue(h.console.isEmpty(), "kernel reported: " + h.console);
        assertEquals(options.tracing(), !h.kernel().trace().events().isEmpty());
        assertEquals(List.of(), h.kernel().invariantViolations());
    }
}
