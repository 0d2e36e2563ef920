package ristretto.system;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The launcher, the POM and this very JVM carry every option of {@link JvmOptions}, and the
 *  compile command names a method that exists. */
class JvmOptionsTest {
    @Test
    void launcherAndPomPassEveryOption() throws IOException {
        String launcher = Files.readString(Path.of("ristretto"));
        String pom = Files.readString(Path.of("pom.xml")).replace("${internal.exports}", JvmOptions.EXPORTS);
        for (String option : JvmOptions.ALL) {
            assertTrue(launcher.contains(option), "./ristretto does not pass " + option);
            assertTrue(pom.contains(option), "pom.xml does not pass " + option);
        }
        assertTrue(launcher.contains(JvmOptions.MODULE_EXPORTS), "./ristretto does not run the module with " + JvmOptions.MODULE_EXPORTS);
        assertTrue(pom.contains(JvmOptions.MODULE_EXPORTS), "pom.xml does not compile the module with " + JvmOptions.MODULE_EXPORTS);
        assertTrue(launcher.contains(JvmOptions.MODULE_OPENS), "./ristretto does not run the module with " + JvmOptions.MODULE_OPENS);
    }

    @Test
    void testJvmRunsWithThem() {
        var args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String option : JvmOptions.ALL) assertTrue(args.contains(option), "this JVM lacks " + option + ": " + args);
    }

    @Test
    void nestedSwitchesCanBeGuardedInThisJvm() {
        assertTrue(ristretto.kernel.sched.StackHeadroom.chunkSizeKnown(), "the kernel cannot measure a continuation's stack chunk");
    }

    @Test
    void compileCommandsNameMethodsThatExist() throws ClassNotFoundException {
        for (String command : java.util.List.of(JvmOptions.FAST_PATH_OUT_OF_LINE, JvmOptions.NESTED_OUT_OF_LINE)) compileCommandNames(command);
    }

    private static void compileCommandNames(String command) throws ClassNotFoundException {
        String target = command.substring(command.indexOf(',') + 1);
        String className = target.substring(0, target.indexOf("::")), method = target.substring(target.indexOf("::") + 2);
        Class<?> c = Class.forName(className);
        assertTrue(Arrays.stream(c.getDeclaredMethods()).anyMatch(m -> m.getName().equals(method)),
                "no method " + method + " in " + className + ": the compile command would silently do nothing");
    }
}
