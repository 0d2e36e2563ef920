package ristretto.kernel.load;

import static org.junit.jupiter.api.Assertions.*;

import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ristretto.abi.ThreadId;
import ristretto.user.L4;
import ristretto.user.Program;

/**
 * A space's class loader on its own: it defines the program's classes itself (so each space has
 * their statics), shares the JDK, the ABI and the user library, hides the rest of Ristretto,
 * passes every class through the transformation, and says in one line why a program cannot be made.
 */
class SpaceLoaderTest {

    private static final String COUNTER = """
            public class Counter {
                static int count;
                public static int increment() { return ++count; }
            }
            """;

    private static int increment(Class<?> counter) throws ReflectiveOperationException {
        return (int) counter.getMethod("increment").invoke(null);
    }

    @Test
    void eachSpaceDefinesTheProgramsClassesAndHasTheirStatics() throws Exception {
        ProgramSource source = Compiled.source(COUNTER);
        SpaceLoader a = new SpaceLoader("space-3", source, ClassTransform.IDENTITY);
        SpaceLoader b = new SpaceLoader("space-4", source, ClassTransform.IDENTITY);
        Class<?> ca = a.loadClass("Counter"), cb = b.loadClass("Counter");
        assertNotSame(ca, cb);
        assertSame(a, ca.getClassLoader());
        assertSame(ca, a.loadClass("Counter"), "defined once per space");
        assertEquals(List.of(1, 2, 1, 3, 2), List.of(increment(ca), increment(ca), increment(cb), increment(ca), increment(cb)));
        assertEquals("space-3", a.getName());
        assertEquals(1, a.definedClasses());
    }

    @Test
    void theJdkTheAbiAndTheUserLibraryAreShared() throws Exception {
        SpaceLoader l = new SpaceLoader("space-3", ProgramSource.empty(), ClassTransform.IDENTITY);
        assertSame(L4.class, l.loadClass("ristretto.user.L4"));
        assertSame(Program.class, l.loadClass("ristretto.user.Program"));
        assertSame(ThreadId.class, l.loadClass("ristretto.abi.ThreadId"));
        assertSame(ArrayList.class, l.loadClass("java.util.ArrayList"));
        assertSame(java.lang.foreign.MemorySegment.class, l.loadClass("java.lang.foreign.MemorySegment"));
        assertTrue(SpaceLoader.shared(SpaceLoader.METER), "the yieldpoint runtime instrumented code calls");
        ClassNotFoundException e = assertThrows(ClassNotFoundException.class, () -> l.loadClass("ristretto.user.NoSuchThing"));
        assertEquals("ristretto.user.NoSuchThing: not among the classes Ristretto shares", e.getMessage());
    }

    @Test
    void theRestOfRistrettoAndTheHostsLibrariesAreNotFound() throws Exception {
        SpaceLoader l = new SpaceLoader("space-5", Compiled.source("""
                public class Peek {
                    public static Object kernel() { return ristretto.kernel.Kernel.class; }
                }
                """), ClassTransform.IDENTITY);
        for (String name : List.of("ristretto.kernel.Kernel", "ristretto.kernel.thread.Tcb", "ristretto.machine.Machine",
                "ristretto.system.Ristretto", "ristretto.kernel.load.SpaceLoader", "ristretto.cli.Main")) {
            ClassNotFoundException e = assertThrows(ClassNotFoundException.class, () -> Class.forName(name, false, l));
            assertEquals(name + " is not visible to programs of space-5: of Ristretto's classes only ristretto.abi and "
                    + "ristretto.user are shared", e.getMessage());
        }
        assertThrows(ClassNotFoundException.class, () -> l.loadClass("org.junit.jupiter.api.Test"), "on the host's class path, not the program's");
        assertNull(l.getResource("ristretto/kernel/Kernel.class"));
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> l.loadClass("Peek").getMethod("kernel").invoke(null));
        assertInstanceOf(NoClassDefFoundError.class, e.getCause());
        assertEquals("ristretto/kernel/Kernel", e.getCause().getMessage());
    }

    @Test
    void everyClassGoesThroughTheTransformationOnceAndMayBeRefused() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        ClassTransform refuseBad = (name, bytes) -> {
            seen.add(name);
            if (name.equals("Bad")) throw new LoadRefused("Bad.main: monitorenter at 3 is not allowed");
            return bytes;
        };
        ProgramSource source = Compiled.source("""
                public class Good implements ristretto.user.Program {
                    public void main(ristretto.user.L4 l4) {}
                    public static int use() { return Helper.X + 1; }
                }
                """, "class Helper { static int X = 41; }", """
                public class Bad implements ristretto.user.Program {
                    public void main(ristretto.user.L4 l4) {}
                }
                """, """
                public class UsesBad {
                    public static Object use() { return new Bad(); }
                }
                """);
        SpaceLoader l = new SpaceLoader("space-3", source, refuseBad);
        assertEquals(42, (int) l.loadClass("Good").getMethod("use").invoke(null));
        l.loadClass("Good");
        assertEquals(List.of("Good", "Helper"), seen);

        NoClassDefFoundError refused = assertThrows(NoClassDefFoundError.class, () -> l.loadClass("Bad"));
        assertEquals("Bad refused: Bad.main: monitorenter at 3 is not allowed", refused.getMessage());
        assertInstanceOf(LoadRefused.class, refused.getCause());
        LoadRefused r = assertThrows(LoadRefused.class, () -> Programs.instantiate(l, "Bad", Program.class));
        assertEquals("class Bad was refused: Bad.main: monitorenter at 3 is not allowed", r.getMessage());
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> l.loadClass("UsesBad").getMethod("use").invoke(null));
        assertInstanceOf(NoClassDefFoundError.class, e.getCause(), "a refused class used by another is a linkage error there");
    }

    @Test
    void aClassPathOfDirectoriesAndJars(@TempDir Path dir) throws Exception {
        Map<String, byte[]> classes = Compiled.compile(COUNTER, "public class Other { public static String hi() { return \"hi\"; } }");
        Path classesDir = Files.createDirectory(dir.resolve("classes"));
        Files.write(classesDir.resolve("Counter.class"), classes.get("Counter"));
        Files.writeString(classesDir.resolve("data.txt"), "some data");
        Path jar = dir.resolve("other.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry("Other.class"));
            j.write(classes.get("Other"));
            j.closeEntry();
        }
        ProgramSource source = ProgramSource.classPath(List.of(classesDir, jar));
        assertEquals("classpath " + classesDir + java.io.File.pathSeparator + jar, source.toString());
        SpaceLoader l = new SpaceLoader("space-3", source, ClassTransform.IDENTITY);
        assertEquals(1, increment(l.loadClass("Counter")));
        assertEquals("hi", l.loadClass("Other").getMethod("hi").invoke(null));
        try (var in = l.getResourceAsStream("data.txt")) {
            assertEquals("some data", new String(in.readAllBytes()));
        }
        assertNull(source.classFile("Missing"));
    }

    @Test
    void aProgramThatCannotBeMadeIsOneLine() {
        ProgramSource source = Compiled.source(
                "public class NotAProgram {}",
                "public abstract class Abstract implements ristretto.user.Program {}",
                "public class NoDefault implements ristretto.user.Program { public NoDefault(int x) {} public void main(ristretto.user.L4 l4) {} }",
                "public class BadStatic implements ristretto.user.Program { static int X = Integer.parseInt(\"x\"); public void main(ristretto.user.L4 l4) {} }",
                "public class BadCtor implements ristretto.user.Program { public BadCtor() { throw new IllegalStateException(\"no\"); } public void main(ristretto.user.L4 l4) {} }",
                "public class Deep implements ristretto.user.Program { static int d(int n) { return d(n + 1) + 1; } static int X = d(0); public void main(ristretto.user.L4 l4) {} }",
                "public class Fine implements ristretto.user.Program { public void main(ristretto.user.L4 l4) {} }");
        SpaceLoader l = new SpaceLoader("space-3", source, ClassTransform.IDENTITY);
        Map<String, String> expected = Map.of(
                "Missing", "class Missing not found on test sources",
                "ristretto.kernel.Kernel", "class ristretto.kernel.Kernel not found on test sources: ristretto.kernel.Kernel is not visible to programs of space-3: of Ristretto's classes only ristretto.abi and ristretto.user are shared",
                "NotAProgram", "NotAProgram does not implement ristretto.user.Program",
                "Abstract", "Abstract is abstract: it cannot be instantiated",
                "NoDefault", "NoDefault has no public no-arg constructor",
                "BadStatic", "the static initialiser of BadStatic failed: java.lang.NumberFormatException: For input string: \"x\"",
                "BadCtor", "the constructor of BadCtor failed: java.lang.IllegalStateException: no",
                "Deep", "class Deep could not be initialised: java.lang.StackOverflowError");
        expected.forEach((name, message) ->
                assertEquals(message, assertThrows(LoadRefused.class, () -> Programs.instantiate(l, name, Program.class)).getMessage()));
        assertDoesNotThrow(() -> assertInstanceOf(Program.class, Programs.instantiate(l, "Fine", Program.class)));
    }

    /** Class loading cost, reported (no assertion on time): read, transform and define, per class. */
    @Test
    void loadTimePerClassIsMeasured() throws Exception {
        String[] sources = new String[40];
        for (int i = 0; i < sources.length; i++)
            sources[i] = "public class C" + i + " { static int n; public int f(int x) { for (int i = 0; i < x; i++) n += i * " + i + "; return n; } }";
        ProgramSource source = Compiled.source(sources);
        for (int round = 0; round < 3; round++) {                  // the first round also warms the loader up
            SpaceLoader l = new SpaceLoader("space-" + round, source, ClassTransform.IDENTITY);
            long t0 = System.nanoTime();
            for (int i = 0; i < sources.length; i++) l.loadClass("C" + i);
            long wall = System.nanoTime() - t0;
            assertEquals(sources.length, l.definedClasses());
            System.out.printf("class loading, round %d: %d classes, %.1f µs per class defined (%.1f µs per loadClass)%n",
                    round, l.definedClasses(), l.loadNanos() / 1e3 / l.definedClasses(), wall / 1e3 / sources.length);
        }
    }
}
