package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.l4test.Checks;
import ristretto.user.l4test.StringChecklist;
import ristretto.user.l4test.StringFaultChecklist;

/**
 * The l4test string checklists (§16.3 without page faults, §16.4 with them): the code the demo
 * runs, booted here as a root task once per copy strategy and once as users run it (tracing
 * off), with one test per row named as l4test names it, and one for the system around them: every
 * row ran once, in order, the system halted idle, the kernel reported nothing, no invariant broke.
 */
class StringChecklistTest {
    /** A root task that runs one checklist and keeps its results. */
    static final class ChecklistRoot implements Program {
        private final Consumer<Linker> link;
        private final BiConsumer<L4, Checks> run;
        final List<String> out = new ArrayList<>();
        Checks checks;

        ChecklistRoot(Consumer<Linker> link, BiConsumer<L4, Checks> run) {
            this.link = link;
            this.run = run;
        }

        @Override public void link(Linker linker) { link.accept(linker); }

        @Override public void main(L4 l4) {
            checks = new Checks(out::add);
            run.accept(l4, checks);
        }
    }

    static Map<String, Kernel.Options> configurations() {
        Kernel.Options traced = Harness.testOptions();
        return Map.of("copy in/out", traced.withCopy(Kernel.Copy.COPY_IN_OUT),
                "temporary mapping", traced.withCopy(Kernel.Copy.TEMPORARY_MAPPING),
                "untraced", traced.withTracing(false));
    }

    @TestFactory
    Stream<DynamicNode> stringIpcWithoutPageFaults() {
        return perConfiguration(StringChecklist.NAMES, () -> {
            StringChecklist c = new StringChecklist();
            return new ChecklistRoot(c::link, c::run);
        });
    }

    @TestFactory
    Stream<DynamicNode> stringIpcWithPageFaults() {
        return perConfiguration(StringFaultChecklist.NAMES, () -> {
            StringFaultChecklist c = new StringFaultChecklist();
            return new ChecklistRoot(c::link, c::run);
        });
    }

    /** One container per configuration; the system boots when the container runs. */
    private static Stream<DynamicNode> perConfiguration(List<String> names, java.util.function.Supplier<ChecklistRoot> root) {
        return configurations().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> DynamicContainer.dynamicContainer(e.getKey(),
                        Stream.of(e.getValue()).flatMap(options -> rows(names, root.get(), options))));
    }

    private static Stream<DynamicNode> rows(List<String> names, ChecklistRoot root, Kernel.Options options) {
        Harness h = Harness.run(Scenario.MACHINE, options, root);
        Map<String, Checks.Result> results = root.checks == null ? Map.of()
                : root.checks.results().stream().collect(Collectors.toMap(Checks.Result::name, Function.identity(), (a, b) -> a));
        String transcript = String.join("\n", root.out);
        DynamicTest system = DynamicTest.dynamicTest("the system", () -> {
            assertNotNull(root.checks, "the root task never ran: " + h.console);
            assertEquals(names, root.checks.results().stream().map(Checks.Result::name).toList(), "every row ran, once, in order");
            assertEquals("no runnable thread and nothing left to wake", h.haltReason);
            assertTrue(h.console.isEmpty(), "kernel reported: " + h.console);
            assertEquals(options.tracing(), !h.kernel().trace().events().isEmpty());
            assertEquals(List.of(), h.kernel().invariantViolations());
        });
        return Stream.concat(names.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Checks.Result r = results.get(name);
            assertNotNull(r, name + " did not run:\n" + transcript + "\n" + h.console);
            assertTrue(r.ok(), name + ": " + r.detail() + "\n" + transcript);
        })), Stream.of(system));
    }
}
