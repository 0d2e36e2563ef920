package ristretto.user.l4test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Collects named check results, l4test's {@code print_result(name, ok)}. */
public final class Checks {
    /** One result: the check's l4test name, whether it passed, and what was seen if not. */
    public record Result(String name, boolean ok, String detail) {}

    private final List<Result> results = new ArrayList<>();
    private final Consumer<String> out;

    public Checks(Consumer<String> out) { this.out = out; }

    public void check(String name, boolean ok, String detail) {
        results.add(new Result(name, ok, detail));
        out.accept(String.format("  %-4s %s%s", ok ? "ok" : "FAIL", name, ok || detail.isEmpty() ? "" : " (" + detail + ")"));
    }

    public List<Result> results() { return results; }

    public long passed() { return results.stream().filter(Result::ok).count(); }

    public long failed() { return results.size() - passed(); }
}
