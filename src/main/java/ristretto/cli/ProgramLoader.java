package ristretto.cli;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import ristretto.kernel.load.Sandbox;
import ristretto.kernel.load.LoadRefused;
import ristretto.kernel.load.Loading;
import ristretto.kernel.load.ProgramSource;
import ristretto.kernel.load.Programs;
import ristretto.system.Ristretto;
import ristretto.user.Program;

/**
 * Finds the root task's {@link Program} for {@code run}: a class on a class path, or the first
 * class of a single source file compiled in memory (like {@code java Hello.java}). Every way this
 * can fail is a {@link LoadException} with a one-line message.
 *
 * <p>A class of Ristretto's own class path (no {@code --classpath}: the demo, the l4test checks)
 * is trusted host code, made here. Any other program is loaded later, at boot, through the root
 * space's {@link ristretto.kernel.load.SpaceLoader}, like every program image its children start:
 * its classes and statics are the root space's own.
 */
final class ProgramLoader {
    private ProgramLoader() {}


    /** The program could not be loaded; the message is one line, for people. */
    static final class LoadException extends Exception {
        LoadException(String message) { super(message, null, false, false); }
    }

    /**
     * The root task to boot: a trusted {@code program}, or a class that {@code loader} makes from
     * the root space's class loader, which reads the classes of {@code loading}.
     */
    record Root(Program program, Loading loading, Ristretto.RootLoader<LoadException> loader) {
        static Root trusted(Program p) { return new Root(p, Loading.SHIPPED, null); }

        static Root loaded(ProgramSource source, Ristretto.RootLoader<LoadException> loader) {
            return new Root(null, Sandbox.loading(source.then(ProgramSource.shipped())), loader);
        }
    }

    /** Loads {@code className} from {@code classpath}, or makes it from Ristretto's own class path (null). */
    static Root fromClass(String className, String classpath) throws LoadException {
        if (classpath == null) {
            Class<?> c;
            try {
                c = Class.forName(className, false, ProgramLoader.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new LoadException("class " + className + " not found");
            } catch (LinkageError e) {
                throw new LoadException(Programs.couldNotLoad(className, e));
            }
            return Root.trusted(instantiate(c, className));
        }
        return Root.loaded(classPath(classpath), loader -> {
            try {
                return (Program) Programs.instantiate(loader, className, Program.class);
            } catch (LoadRefused e) {
                throw new LoadException(e.getMessage());
            }
        });
    }

    /**
     * Compiles {@code file} in memory against Ristretto and {@code classpath}; its first top-level
     * class, which must be a Program, is loaded at boot. Compiler errors are printed to {@code err}.
     */
    static Root fromSource(Path file, String classpath, PrintWriter err) throws LoadException {
        if (!Files.isRegularFile(file)) throw new LoadException(file + ": no such file");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new LoadException("no Java compiler in this runtime: running a source file needs a JDK");
        ProgramSource libraries = classpath == null ? null : classPath(classpath);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, byte[]> classes = new HashMap<>();
        String first;
        try (StandardJavaFileManager std = javac.getStandardFileManager(diagnostics, Locale.ROOT, null);
             JavaFileManager out = new InMemoryOutput(std, classes)) {
            List<String> options = List.of("-classpath", compileClassPath(classpath), "-proc:none", "-g",
                    "-Xlint:-options", "-implicit:class");
            JavacTask task = (JavacTask) javac.getTask(null, out, diagnostics, options, null, std.getJavaFileObjects(file));
            first = firstTopLevelClass(task.parse());
            task.generate();
        } catch (IOException e) {
            throw new LoadException(file + ": " + oneLine(e));
        } catch (IllegalStateException e) {            // parse or generate gave up after errors
            first = null;
        }
        boolean failed = false;
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) continue;
            failed = true;
            err.println(d);
        }
        if (failed || first == null && classes.isEmpty()) throw new LoadException(file + ": compilation failed");
        if (first == null) throw new LoadException(file + ": declares no class");
        String name = first;
        ProgramSource compiled = ProgramSource.classes(file.toString(), classes);
        return Root.loaded(libraries == null ? compiled : compiled.then(libraries), loader -> {
            Class<?> c;
            try {
                c = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new LoadException(file + ": " + Programs.couldNotLoad(name, e));
            }
            if (!Program.class.isAssignableFrom(c))
                throw new LoadException(file + ": its first class, " + name + ", does not implement ristretto.user.Program");
            return instantiate(c, name);
        });
    }

    private static Program instantiate(Class<?> c, String name) throws LoadException {
        try {
            return (Program) Programs.instantiate(c, name, Program.class);
        } catch (LoadRefused e) {
            throw new LoadException(e.getMessage());
        }
    }

    /** A class path whose entries must exist, as a program source. */
    private static ProgramSource classPath(String classpath) throws LoadException {
        List<Path> entries = new ArrayList<>();
        for (String p : classpath.split(File.pathSeparator)) {
            if (p.isEmpty()) continue;
            Path f = Path.of(p);
            if (!Files.exists(f)) throw new LoadException("classpath entry " + p + " does not exist");
            entries.add(f);
        }
        return ProgramSource.classPath(entries);
    }

    /** What a source program compiles against: Ristretto's classes, this JVM's class path, and the user's. */
    private static String compileClassPath(String classpath) {
        List<String> parts = new ArrayList<>();
        try {
            var src = Program.class.getProtectionDomain().getCodeSource();
            if (src != null) parts.add(Path.of(src.getLocation().toURI()).toString());
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // fall back on java.class.path alone
        }
        parts.add(System.getProperty("java.class.path", ""));
        if (classpath != null) parts.add(classpath);
        return String.join(File.pathSeparator, parts);
    }

    /** The binary name of the first class, interface, enum or record declared at top level. */
    private static String firstTopLevelClass(Iterable<? extends CompilationUnitTree> units) {
        for (CompilationUnitTree u : units) {
            String pkg = u.getPackageName() == null ? "" : u.getPackageName() + ".";
            for (Tree t : u.getTypeDecls())
                if (t instanceof ClassTree c && !c.getSimpleName().isEmpty()) return pkg + c.getSimpleName();
        }
        return null;
    }

    static String oneLine(Throwable e) { return Programs.oneLine(e); }

    /** Keeps the class files javac writes in a map instead of on disk. */
    private static final class InMemoryOutput extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private final Map<String, byte[]> classes;

        InMemoryOutput(StandardJavaFileManager std, Map<String, byte[]> classes) {
            super(std);
            this.classes = classes;
        }

        @Override public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                @Override public OutputStream openOutputStream() {
                    return new ByteArrayOutputStream() {
                        @Override public void close() { classes.put(className, toByteArray()); }
                    };
                }
            };
        }
    }
}
