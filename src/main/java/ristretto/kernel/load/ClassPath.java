package ristretto.kernel.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A class path as a {@link ProgramSource}. The JDK's URLClassLoader does the reading (directories,
 * jars, their manifests' Class-Path); it has no parent and is only ever asked for resources, so it
 * defines no class: that is each space's {@link SpaceLoader}'s job.
 */
final class ClassPath implements ProgramSource {
    private final URLClassLoader reader;
    private final String description;

    ClassPath(List<Path> entries) {
        URL[] urls = new URL[entries.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = entries.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("class path entry " + entries.get(i) + ": " + e.getMessage(), e);
            }
        }
        this.reader = new URLClassLoader("ristretto-classpath", urls, null);
        this.description = "classpath " + entries.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
    }

    @Override public byte[] classFile(String binaryName) throws IOException {
        URL u = reader.findResource(binaryName.replace('.', '/') + ".class");
        if (u == null) return null;
        try (InputStream in = u.openStream()) {
            return in.readAllBytes();
        }
    }

    @Override public URL resource(String path) { return reader.findResource(path); }

    @Override public String toString() { return description; }
}
