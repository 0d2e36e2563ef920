package ristretto.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers, enforced: {@code machine} ← {@code abi} ← {@code kernel} ← {@code user}, then
 * {@code system}/{@code cli} and {@code bench} on top. Each layer may name only the layers it is
 * allowed to see (imports, static imports and fully qualified names alike); {@code user} never
 * names the kernel or the machine. A plain scan of the sources, so that it also covers code that
 * reflection-free tests never load. Names in comments and string literals are not references (the
 * load-time verifier's rule table names the packages it refuses); reflection by name is stopped by
 * the module boundary and, for user programs, by that verifier.
 */
class LayerTest {
    /** What each top-level package of {@code ristretto} may refer to (besides itself). */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "machine", Set.of(),
            "abi", Set.of(),
            "kernel", Set.of("abi", "machine"),
            "user", Set.of("abi"),
            "system", Set.of("abi", "machine", "kernel", "user"),
            "cli", Set.of("abi", "machine", "kernel", "user", "system", "bench"),
            "bench", Set.of("abi", "machine", "kernel", "user", "system"));

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+ristretto\\.(\\w+)", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bristretto\\.(\\w+)\\.");
    /** Comments, text blocks, string and character literals: what is not code. */
    private static final Pattern NOT_CODE = Pattern.compile(
            "(?s)/\\*.*?\\*/|//[^\\n]*|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])*'");

    @Test
    void everyPackageReachesOnlyTheLayersBelowIt() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/ristretto"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList())
                violations.addAll(violations(f.toString(), Files.readString(f)));
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void aForbiddenImportIsCaught() {
        String planted = "package ristretto.user.demo;\n\nimport ristretto.kernel.Kernel;\nclass X {}\n";
        assertEquals(List.of("Planted.java: user must not use ristretto.kernel"), violations("Planted.java", planted));
        String fqn = "package ristretto.abi;\nclass Y { Object o = ristretto.machine.Pte.R; }\n";
        assertEquals(List.of("Y.java: abi must not use ristretto.machine"), violations("Y.java", fqn));
        String named = "package ristretto.kernel.load;\nclass Z { String s = \"ristretto.user.*\"; char c = '\"'; } // ristretto.user.L4\n"
                + "class W { ristretto.user.L4 l4; }\n";
        assertEquals(List.of("W.java: kernel must not use ristretto.user"), violations("W.java", named));
    }

    /** The references in one source file that its layer may not make. */
    static List<String> violations(String file, String source) {
        Matcher pm = PACKAGE.matcher(source);
        if (!pm.find()) return List.of();          // package-info without a ristretto package, module-info
        String layer = pm.group(1);
        Set<String> allowed = ALLOWED.get(layer);
        if (allowed == null) return List.of(file + ": unknown layer " + layer);
        String body = source.substring(pm.end());
        List<String> out = new ArrayList<>();
        Matcher m = REFERENCE.matcher(NOT_CODE.matcher(body).replaceAll(""));
        while (m.find()) {
            String target = m.group(1);
            String v = file + ": " + layer + " must not use ristretto." + target;
            if (!target.equals(layer) && !allowed.contains(target) && !out.contains(v)) out.add(v);
        }
        return out;
    }
}
