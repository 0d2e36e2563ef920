package ristretto.kernel.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Test-only stand-in for the per-space class loader: defines the given classes, and the classes
 * nested in them, itself — from the class files its parent finds, with yieldpoints inserted
 * ({@link Yieldpoints#instrument}) or as they are — and takes everything else from its parent.
 * So a test can run the same user code instrumented and plain, side by side.
 */
public final class InstrumentingLoader extends ClassLoader {
    private final List<String> roots;
    private final boolean instrument;
    /** Classes this loader defined, and whether it instrumented them. */
    public int defined;

    public InstrumentingLoader(boolean instrument, Class<?>... roots) {
        super("test-" + (instrument ? "instrumented" : "plain"), InstrumentingLoader.class.getClassLoader());
        this.roots = java.util.Arrays.stream(roots).map(Class::getName).toList();
        this.instrument = instrument;
    }

    public static InstrumentingLoader instrumented(Class<?>... roots) { return new InstrumentingLoader(true, roots); }

    public static InstrumentingLoader plain(Class<?>... roots) { return new InstrumentingLoader(false, roots); }

    private boolean mine(String name) {
        for (String r : roots) if (name.equals(r) || name.startsWith(r + "$")) return true;
        return false;
    }

    @Override protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!mine(name)) return super.loadClass(name, resolve);
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                byte[] b = classFile(getParent(), name);
                if (instrument) b = Yieldpoints.instrument(b, Yieldpoints.resolverFor(getParent()));
                c = defineClass(name, b, 0, b.length);
                defined++;
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }

    /** The class file of {@code name} as {@code loader} finds it. */
    public static byte[] classFile(ClassLoader loader, String name) throws ClassNotFoundException {
        try (InputStream in = loader.getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) throw new ClassNotFoundException(name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This loader's copy of {@code type} (a class of the test sources), constructed with {@code args}. */
    public <T> T instance(Class<?> type, Class<T> as, Object... args) {
        try {
            Class<?> c = loadClass(type.getName());
            for (var k : c.getConstructors())
                if (k.getParameterCount() == args.length) return as.cast(k.newInstance(args));
            throw new IllegalArgumentException(type + " has no public constructor of " + args.length + " arguments");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
