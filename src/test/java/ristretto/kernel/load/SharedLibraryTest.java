package ristretto.kernel.load;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What every space shares is read-only: the classes of {@code ristretto.abi} and
 * {@code ristretto.user}, which {@link SpaceLoader} delegates to Ristretto's own loader, hold no
 * mutable statics. A static field there must be final and of a type whose values cannot change
 * (a primitive, a String, a value layout, an unmodifiable list), and an enum's constants must
 * have final fields only, or two spaces could talk through them without IPC.
 */
class SharedLibraryTest {

    @Test
    void theSharedPackagesHoldNoMutableStatics() throws Exception {
        List<String> classes = new ArrayList<>();
        for (String pkg : List.of("abi", "user")) classes.addAll(classesUnder(Path.of("target/classes/ristretto", pkg)));
        // The programs Ristretto ships are loaded per space, like any program: not shared.
        classes.removeIf(name -> name.startsWith(ProgramSource.SHIPPED_PACKAGE + "."));
        assertTrue(classes.size() > 20, "found the shared classes: " + classes);
        List<String> mutable = new ArrayList<>();
        for (String name : classes) {
            assertTrue(SpaceLoader.shared(name), name);
            Class<?> c = Class.forName(name, false, SharedLibraryTest.class.getClassLoader());
            for (Field f : c.getDeclaredFields()) {
                if (c.isEnum() && !Modifier.isStatic(f.getModifiers()) && !Modifier.isFinal(f.getModifiers()))
                    mutable.add(name + "." + f.getName() + " (a field of every constant)");
                if (!Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || f.isEnumConstant()) continue;
                if (!Modifier.isFinal(f.getModifiers()) || !immutable(f)) mutable.add(name + "." + f.getName() + " (" + f.getType().getSimpleName() + ")");
            }
        }
        assertEquals(List.of(), mutable);
    }

    private static boolean immutable(Field f) throws IllegalAccessException {
        Class<?> t = f.getType();
        if (t.isPrimitive() || t == String.class || ValueLayout.class.isAssignableFrom(t)) return true;
        if (t != List.class) return false;
        f.setAccessible(true);
        Object v = f.get(null);
        return v != null && v.getClass().getName().startsWith("java.util.ImmutableCollections$");
    }

    private static List<String> classesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(Path::toString).filter(p -> p.endsWith(".class") && !p.endsWith("package-info.class"))
                    .map(p -> p.substring("target/classes/".length(), p.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        }
    }
}
