package ristretto.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The module boundary as users get it: {@code ./ristretto run} starts Ristretto as the named
 * module {@code ristretto} and loads the user program outside it, so reflection into the kernel
 * fails. Runs the real launcher (without rebuilding) on {@code attacks.ReflectionAttack}, which
 * {@code run --classpath} loads through the root space's own class loader.
 */
class ModuleBoundaryTest {
    @Test
    void aHostileProgramCannotReachTheKernelByReflection() throws IOException, InterruptedException {
        String out = launch("run", "--root", "attacks.ReflectionAttack", "--classpath", "target/test-classes");
        List<String> lines = out.lines().filter(l -> l.startsWith("refused: ") || l.startsWith("BROKEN: ")).toList();
        assertEquals(6, lines.size(), "every attempt reports:\n" + out);
        // Its own space's loader does not find the kernel by name ...
        assertEquals("refused: a kernel class through its own space's loader (ClassNotFoundException)", lines.get(1), out);
        // ... and through Ristretto's loader, access control refuses, not some accident of the attack.
        for (String l : lines.subList(0, 1)) assertAccessControl(l, out);
        for (String l : lines.subList(2, 6)) assertAccessControl(l, out);
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
    static String launch(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("./ristretto"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("RISTRETTO_NO_BUILD", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
