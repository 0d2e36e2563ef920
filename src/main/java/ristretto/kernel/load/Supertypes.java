package ristretto.kernel.load;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The supertypes of a JDK class or interface, by binary name, so that a rule naming a JDK type
 * also covers the JDK's subtypes of it ({@link Rule}). Read from the platform class loader
 * without initialising anything; kept for good, since there are only so many JDK types.
 *
 * <p>A type that is not the JDK's (a user class, the user library) is known only as a subtype of
 * {@code java.lang.Object}: its own supertypes are checked when it is verified itself.
 */
final class Supertypes {
    private Supertypes() {}

    static final String OBJECT = "java.lang.Object";
    private static final List<String> OBJECT_ONLY = List.of(OBJECT);
    private static final ConcurrentHashMap<String, List<String>> JDK = new ConcurrentHashMap<>();

    /** Every proper supertype of {@code type}, classes and interfaces, {@code java.lang.Object} last. */
    static List<String> of(String type) {
        if (type.equals(OBJECT)) return List.of();
        if (!type.startsWith("java.") && !type.startsWith("javax.")) return OBJECT_ONLY;   // no user class is ever looked up
        List<String> known = JDK.get(type);
        if (known != null) return known;
        Class<?> c;
        try {
            c = Class.forName(type, false, ClassLoader.getPlatformClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return OBJECT_ONLY;                    // a user's javax class, or a module not in the boot layer
        }
        List<String> all = walk(c);
        JDK.putIfAbsent(type, all);
        return all;
    }

    /** Whether {@code type} has been found among the JDK's types. */
    static boolean isKnown(String type) { return JDK.containsKey(type); }

    /** The proper supertypes of the class or interface {@code c}, nearest first. */
    private static List<String> walk(Class<?> c) {
        Set<String> out = new LinkedHashSet<>();
        List<Class<?>> todo = new ArrayList<>(List.of(c));
        for (int i = 0; i < todo.size(); i++) {
            Class<?> t = todo.get(i);
            if (t != c && !t.getName().equals(OBJECT)) out.add(t.getName());
            if (t.getSuperclass() != null) todo.add(t.getSuperclass());
            todo.addAll(List.of(t.getInterfaces()));
        }
        out.add(OBJECT);
        return List.copyOf(out);
    }
}
