package ristretto.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Reflection into the kernel, as users get it from {@code ./ristretto run}, stopped twice over.
 * First the loader's verifier refuses the program: {@code attacks.ReflectionAttack}, loaded by
 * {@code run --classpath} through the root space's class loader, never runs. Under that, the
 * module boundary: Ristretto runs as the named module {@code ristretto} and user code outside it,
 * so the same attack run as trusted, unverified code (the class on the launcher's own class path)
 * has each attempt refused by access control. Runs the real launcher, without rebuilding.
 */
class ModuleBoundaryTest {
    @Test
    void theVerifierRefusesAReflectiveProgramAtLoad() throws IOException, InterruptedException {
        String out = launch(Map.of(), "run", "--root", "attacks.ReflectionAttack", "--classpath", "target/test-classes");
        assertTrue(out.contains("class attacks.ReflectionAttack was refused: attacks.ReflectionAttack."), out);
        assertTrue(out.contains("is refused: reflection"), out);
        assertFalse(out.contains("refused: a kernel class"), "the attack ran:\n" + out);
        assertFalse(out.contains("KERNEL BUG"), out);
    }

    @Test
    void unverifiedCodeStillCannotReachTheKernelByReflection() throws IOException, InterruptedException {
        String out = launch(Map.of("RISTRETTO_JVM_OPTS", "--class-path target/test-classes"), "run", "--root", "attacks.ReflectionAttack");
        List<String> lines = out.lines().filter(l -> l.startsWith("refused: ") || l.startsWith("BROKEN: ")).toList();
        assertEquals(6, lines.size(), "every attempt reports:\n" + out);
        // Outside the module, even Ristretto's own loader finds the kernel's classes, and access control refuses.
        for (String l : lines) assertAccessControl(l, out);
        assertTrue(out.contains("attack done"), out);
        assertFalse(out.contains("KERNEL BUG"), out);
    }

    private static void assertAccessControl(String line, String out) {
        assertTrue(line.matches("refused: .*\\((InaccessibleObjectException|IllegalAccessException|IllegalCallerException)\\)"), line + "\n" + out);
    }

    @Test
    void theDemoRunsAsANamedModule() throws IOException, InterruptedException {
        String out = launch("demo");
        assertTrue(out.matches("(?s).*demo: \\d+ passed, 0 failed.*"), out);
    }

    /** Runs {@code ./ristretto ARGS} on the classes this build compiled; answers stdout + stderr. */
    static String launch(String... args) throws IOException, InterruptedException { return launch(Map.of(), args); }

    /** As {@link #launch(String...)}, with more environment. */
    static String launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("./ristretto"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("RISTRETTO_NO_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
