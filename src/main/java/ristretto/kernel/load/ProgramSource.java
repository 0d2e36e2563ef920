package ristretto.kernel.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a program's classes come from, like the file an ELF loader maps: class files by binary
 * name, from a class path of directories and jars or from classes compiled in memory. A source
 * only reads bytes and is shared by every space; each space's {@link SpaceLoader} defines the
 * classes itself, so two spaces loading one source get classes, and statics, of their own.
 * Reads may come from several CPUs at once.
 */
public interface ProgramSource {
    /** The class file of {@code binaryName} ({@code a.b.C$D}), or null if this source has none. */
    byte[] classFile(String binaryName) throws IOException;

    /** A resource ({@code a/b/c.txt}) of the program, or null. */
    default URL resource(String path) { return null; }

    /** This source, then {@code next} for what this one lacks (a source file compiled against a class path). */
    default ProgramSource then(ProgramSource next) {
        ProgramSource first = this;
        return new ProgramSource() {
            @Override public byte[] classFile(String binaryName) throws IOException {
                byte[] b = first.classFile(binaryName);
                return b != null ? b : next.classFile(binaryName);
            }

            @Override public URL resource(String path) {
                URL u = first.resource(path);
                return u != null ? u : next.resource(path);
            }

            @Override public String toString() { return first + " and " + next; }
        };
    }

    /** A source with no classes: a system whose programs are all trusted host code. */
    static ProgramSource empty() {
        return new ProgramSource() {
            @Override public byte[] classFile(String binaryName) { return null; }

            @Override public String toString() { return "no program source"; }
        };
    }

    /**
     * Class files held in memory (compiled from a source file), by binary name; {@code description}
     * names them in messages ("Hello.java").
     */
    static ProgramSource classes(String description, Map<String, byte[]> classFiles) {
        Map<String, byte[]> copy = Map.copyOf(classFiles);
        return new ProgramSource() {
            @Override public byte[] classFile(String binaryName) {
                byte[] b = copy.get(binaryName);
                return b == null ? null : b.clone();
            }

            @Override public String toString() { return description; }
        };
    }

    /** The package of the programs Ristretto ships as images (the demo's among them): never shared, loaded per space. */
    String SHIPPED_PACKAGE = "ristretto.user.programs";

    /**
     * The program images Ristretto ships ({@value #SHIPPED_PACKAGE}), read as class files from
     * Ristretto's own classes, so that a space defines them itself, verified and instrumented like
     * any program: a system whose root task is trusted host code can still start them.
     */
    static ProgramSource shipped() {
        return new ProgramSource() {
            @Override public byte[] classFile(String binaryName) throws IOException {
                if (!binaryName.startsWith(SHIPPED_PACKAGE + ".")) return null;
                try (InputStream in = ProgramSource.class.getModule().getResourceAsStream(binaryName.replace('.', '/') + ".class")) {
                    return in == null ? null : in.readAllBytes();
                }
            }

            @Override public String toString() { return "Ristretto's programs"; }
        };
    }

    /** The directories and jars of a class path, read in order (entries that do not exist hold nothing). */
    static ProgramSource classPath(List<Path> entries) { return new ClassPath(entries); }
}
