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
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
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
import ristretto.user.Program;

/**
 * Finds the root task's {@link Program} for {@code run}: a class on a class path, or the first
 * class of a single source file compiled in memory (like {@code java Hello.java}). Every way this
 * can fail is a {@link LoadException} with a one-line message.
 */
final class ProgramLoader {
    private ProgramLoader() {}

    /** The program could not be loaded; the message is one line, for people. */
    static final class LoadException extends Exception {
        LoadException(String message) { super(message, null, false, false); }
    }

    /** Loads and instantiates {@code className} from {@code classpath} (null: Ristretto's own). */
    static Program fromClass(String className, String classpath) throws LoadException {
        ClassLoader loader = classLoader(classpath);
        Class<?> c;
        try {
            c = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new LoadException("class " + className + " not found" + (classpath == null ? "" : " on classpath " + classpath));
        } catch (LinkageError e) {
            throw new LoadException("class " + className + " could not be loaded: " + oneLine(e));
        }
        return instantiate(c, className);
    }

    /**
     * Compiles {@code file} in memory against Ristretto and {@code classpath}, then loads its first
     * top-level class, which must be a Program. Compiler errors are printed to {@code err}.
     */
    static Program fromSource(Path file, String classpath, PrintWriter err) throws LoadException {
        if (!Files.isRegularFile(file)) throw new LoadException(file + ": no such file");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new LoadException("no Java compiler in this runtime: running a source file needs a JDK");
        ClassLoader parent = classLoader(classpath);
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
        Class<?> c;
        try {
            c = Class.forName(first, false, new MemoryClassLoader(classes, parent));
        } catch (ClassNotFoundException | LinkageError e) {
            throw new LoadException(file + ": class " + first + " could not be loaded: " + oneLine(e));
        }
        if (!Program.class.isAssignableFrom(c))
            throw new LoadException(file + ": its first class, " + first + ", does not implement ristretto.user.Program");
        return instantiate(c, first);
    }

    private static Program instantiate(Class<?> c, String name) throws LoadException {
        if (!Program.class.isAssignableFrom(c)) throw new LoadException(name + " does not implement ristretto.user.Program");
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers()))
            throw new LoadException(name + " is " + (c.isInterface() ? "an interface" : "abstract") + ": it cannot be instantiated");
        Constructor<?> ctor;
        try {
            ctor = c.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new LoadException(name + " has no public no-arg constructor");
        } catch (LinkageError e) {
            throw new LoadException("class " + name + " could not be loaded: " + oneLine(e));
        }
        try {
            Class.forName(c.getName(), true, c.getClassLoader());         // run the static initialiser
        } catch (ExceptionInInitializerError e) {
            throw new LoadException("the static initialiser of " + name + " failed: " + oneLine(e.getCause() == null ? e : e.getCause()));
        } catch (ClassNotFoundException | LinkageError e) {
            throw new LoadException("class " + name + " could not be initialised: " + oneLine(e));
        }
        try {
            ctor.setAccessible(true);                                       // a public constructor of a non-public class
            return (Program) ctor.newInstance();
        } catch (InvocationTargetException e) {
            throw new LoadException("the constructor of " + name + " failed: " + oneLine(e.getCause()));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new LoadException(name + " could not be instantiated: " + oneLine(e));
        }
    }

    /** Ristretto's own loader, or a loader over the given class path whose entries must exist. */
    private static ClassLoader classLoader(String classpath) throws LoadException {
        ClassLoader own = ProgramLoader.class.getClassLoader();
        if (classpath == null) return own;
        List<URL> urls = new ArrayList<>();
        for (String p : classpath.split(File.pathSeparator)) {
            if (p.isEmpty()) continue;
            File f = new File(p);
            if (!f.exists()) throw new LoadException("classpath entry " + p + " does not exist");
            try {
                urls.add(f.toURI().toURL());
            } catch (MalformedURLException e) {
                throw new LoadException("classpath entry " + p + ": " + oneLine(e));
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), own);
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

    static String oneLine(Throwable e) {
        String s = e.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

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

    /** Defines the classes of a compiled source file; everything else comes from its parent. */
    private static final class MemoryClassLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        MemoryClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
            super("ristretto-source", parent);
            this.classes = classes;
        }

        @Override protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) throw new ClassNotFoundException(name);
            return defineClass(name, b, 0, b.length);
        }
    }
}
