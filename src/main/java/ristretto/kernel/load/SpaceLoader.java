package ristretto.kernel.load;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The class loader of one address space: a program's classes, and their statics, belong to the
 * space that loaded them, like its memory. Each space that runs programs has its own
 * ({@code Space.loader}), named {@code space-<id>}.
 *
 * <p>Who defines what. A class of the program ({@link ProgramSource}) is defined here, after its
 * bytes went through the space's {@link ClassTransform} (verification, yieldpoints), and never
 * delegated, or two spaces would share its statics. Delegated, and so shared by every space:
 * <ul>
 *   <li>JDK classes (the packages of the boot layer's modules defined to the boot or platform
 *       loader), with their statics: {@code System.out} is one stream for all;
 *   <li>Ristretto's {@code ristretto.abi} and {@code ristretto.user} packages, from Ristretto's own
 *       loader: the user library is a shared library whose code is read-only, and it holds no
 *       mutable statics ({@code SharedLibraryTest} checks), so sharing it leaks nothing;
 *   <li>{@link #METER}, the yieldpoint runtime that instrumented code calls.
 * </ul>
 * Any other {@code ristretto.*} class (the kernel, the machine, the system) is not found through
 * this loader. That is a wall for names only: what stops a program from reaching the kernel by
 * other means (another loader, reflection) is the module boundary and verification.
 *
 * <p>In the named module, user classes live in this loader's unnamed module, which may use only
 * exported packages: the package of {@link #METER} (it holds nothing else) is exported to it.
 *
 * <p>Parallel capable: loads of different classes do not wait for each other. The time spent
 * reading, transforming and defining classes is counted ({@link #loadNanos}).
 */
public final class SpaceLoader extends ClassLoader {
    static { registerAsParallelCapable(); }

    /** The yieldpoint runtime: shared, since the yieldpoints of every space charge the same clock. */
    public static final String METER = "ristretto.kernel.meter.MeterGate";
    /** Ristretto's own loader, where the shared classes come from. */
    private static final ClassLoader RISTRETTO = SpaceLoader.class.getClassLoader();
    private static final ClassLoader JDK = ClassLoader.getPlatformClassLoader();
    private static final Set<String> JDK_PACKAGES = jdkPackages();

    private final ProgramSource source;
    private final ClassTransform transform;
    private final AtomicLong defined = new AtomicLong(), loadNanos = new AtomicLong();

    public SpaceLoader(String name, ProgramSource source, ClassTransform transform) {
        super(name, JDK);
        this.source = source;
        this.transform = transform;
        // In the named module, the yieldpoints' gate is the one kernel package its programs may use.
        Module ristretto = SpaceLoader.class.getModule();
        if (ristretto.isNamed()) ristretto.addExports(METER.substring(0, METER.lastIndexOf('.')), getUnnamedModule());
    }

    public ProgramSource source() { return source; }

    /** The packages (and their subpackages) every space shares: the ABI and the user library. */
    private static final List<String> SHARED_PACKAGES = List.of("ristretto.abi", "ristretto.user");

    /** True if every space shares the class {@code name} with Ristretto (abi, user library, meter). */
    public static boolean shared(String name) {
        if (name.startsWith(ProgramSource.SHIPPED_PACKAGE + ".")) return false;   // programs, not library
        for (String p : SHARED_PACKAGES)
            if (name.length() > p.length() && name.startsWith(p) && name.charAt(p.length()) == '.') return true;
        return name.equals(METER) || name.startsWith(METER + "$");
    }

    @Override protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (shared(name)) c = fromRistretto(name);
                else if (name.startsWith("ristretto.") && !name.startsWith(ProgramSource.SHIPPED_PACKAGE + "."))
                    throw new ClassNotFoundException(name + " is not visible to programs of " + getName()
                            + ": of Ristretto's classes only ristretto.abi and ristretto.user are shared");
                else if (JDK_PACKAGES.contains(packageOf(name))) c = JDK.loadClass(name);
                else c = findClass(name);
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }

    private static Class<?> fromRistretto(String name) throws ClassNotFoundException {
        try {
            return RISTRETTO.loadClass(name);
        } catch (ClassNotFoundException e) {
            throw new ClassNotFoundException(name + ": not among the classes Ristretto shares", e);
        }
    }

    /**
     * Reads the program's class, transforms it and defines it here. A transformation that refuses
     * the class makes it a {@link NoClassDefFoundError} whose cause is the {@link LoadRefused}.
     */
    @Override protected Class<?> findClass(String name) throws ClassNotFoundException {
        long t0 = System.nanoTime();
        byte[] b;
        try {
            b = source.classFile(name);
        } catch (IOException e) {
            throw new ClassNotFoundException(name + " could not be read from " + source + ": " + e, e);
        }
        if (b == null) throw new ClassNotFoundException(name);
        try {
            b = transform.apply(name, b);
        } catch (LoadRefused e) {
            throw (NoClassDefFoundError) new NoClassDefFoundError(name + " refused: " + e.getMessage()).initCause(e);
        }
        Class<?> c = defineClass(name, b, 0, b.length);
        loadNanos.addAndGet(System.nanoTime() - t0);
        defined.incrementAndGet();
        return c;
    }

    @Override protected URL findResource(String name) { return source.resource(name); }

    @Override protected Enumeration<URL> findResources(String name) {
        URL u = findResource(name);
        return u == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(u));
    }

    /** How many classes this loader has defined. */
    public long definedClasses() { return defined.get(); }

    /** Host time spent reading, transforming and defining them, in ns. */
    public long loadNanos() { return loadNanos.get(); }

    private static String packageOf(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }

    /** The packages of the JDK modules this JVM booted, defined to the boot or the platform loader. */
    private static Set<String> jdkPackages() {
        Set<String> out = new HashSet<>();
        for (Module m : ModuleLayer.boot().modules()) {
            ClassLoader l = m.getClassLoader();
            if (l == null || l == JDK) out.addAll(m.getPackages());
        }
        return Set.copyOf(out);
    }

    @Override public String toString() { return getName() + " (" + source + ")"; }
}
