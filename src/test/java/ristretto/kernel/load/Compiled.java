package ristretto.kernel.load;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Programs for loader tests, compiled in memory from source text against the test class path:
 * their class files by binary name, never on the class path, so that only a {@link SpaceLoader}
 * can define them.
 */
public final class Compiled {
    private Compiled() {}

    private static final Pattern NAME = Pattern.compile("(?:class|interface|record|enum)\\s+(\\w+)");

    /** Compiles each source (one top-level class each, default package); answers every class file. */
    public static Map<String, byte[]> compile(String... sources) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, byte[]> classes = new HashMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        for (String src : sources) {
            Matcher m = NAME.matcher(src);
            if (!m.find()) throw new IllegalArgumentException("no class in " + src);
            units.add(new SimpleJavaFileObject(URI.create("string:///" + m.group(1) + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return src; }
            });
        }
        StandardJavaFileManager std = javac.getStandardFileManager(diagnostics, Locale.ROOT, null);
        JavaFileManager out = new ForwardingJavaFileManager<>(std) {
            @Override public JavaFileObject getJavaFileForOutput(Location l, String className, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className + kind.extension), kind) {
                    @Override public OutputStream openOutputStream() {
                        return new ByteArrayOutputStream() {
                            @Override public void close() { classes.put(className, toByteArray()); }
                        };
                    }
                };
            }
        };
        List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-proc:none", "-g");
        if (!javac.getTask(null, out, diagnostics, options, null, units).call())
            throw new IllegalArgumentException("compilation failed: " + diagnostics.getDiagnostics());
        return classes;
    }

    /** The compiled sources as a program source. */
    public static ProgramSource source(String... sources) { return ProgramSource.classes("test sources", compile(sources)); }
}
