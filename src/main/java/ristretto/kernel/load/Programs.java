package ristretto.kernel.load;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Makes the program object of a class: loads it, checks that it is a program, runs its static
 * initialiser and its public no-arg constructor. Every way this fails is a {@link LoadRefused}
 * with one line that names the class, so a program image that cannot start stops its thread like
 * a fault, and {@code run} exits with one line.
 */
public final class Programs {
    private Programs() {}

    /**
     * A new instance of {@code className}, loaded through {@code loader}, which must implement
     * {@code type} (the user library's {@code Program}, which this layer may not name).
     */
    public static Object instantiate(ClassLoader loader, String className, Class<?> type) throws LoadRefused {
        Class<?> c;
        try {
            c = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new LoadRefused("class " + className + " not found"
                    + (loader instanceof SpaceLoader s ? " on " + s.source() : "")
                    + (e.getMessage() != null && !e.getMessage().equals(className) ? ": " + e.getMessage() : ""));
        } catch (LinkageError | RuntimeException e) {
            throw new LoadRefused(couldNotLoad(className, e));
        }
        return instantiate(c, className, type);
    }

    /** As above, for a class already loaded; {@code name} is how messages call it. */
    public static Object instantiate(Class<?> c, String name, Class<?> type) throws LoadRefused {
        if (!type.isAssignableFrom(c)) throw new LoadRefused(name + " does not implement " + type.getName());
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers()))
            throw new LoadRefused(name + " is " + (c.isInterface() ? "an interface" : "abstract") + ": it cannot be instantiated");
        Constructor<?> ctor;
        try {
            ctor = c.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new LoadRefused(name + " has no public no-arg constructor");
        } catch (LinkageError | RuntimeException e) {
            throw new LoadRefused(couldNotLoad(name, e));
        }
        try {
            Class.forName(c.getName(), true, c.getClassLoader());         // run the static initialiser
        } catch (ExceptionInInitializerError e) {
            throw new LoadRefused("the static initialiser of " + name + " failed: " + oneLine(e.getCause() == null ? e : e.getCause()));
        } catch (ClassNotFoundException | Error | RuntimeException e) {   // an Error a static initialiser threw as it is
            throw new LoadRefused("class " + name + " could not be initialised: " + oneLine(e));
        }
        try {
            ctor.setAccessible(true);                                       // a public constructor of a non-public class
            return ctor.newInstance();
        } catch (InvocationTargetException e) {
            throw new LoadRefused("the constructor of " + name + " failed: " + oneLine(e.getCause()));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new LoadRefused(name + " could not be instantiated: " + oneLine(e));
        }
    }

    /** A class that was found but not defined: refused by the transformation, or a bad class file. */
    public static String couldNotLoad(String name, Throwable e) {
        if (e.getCause() instanceof LoadRefused r) return "class " + name + " was refused: " + r.getMessage();
        return "class " + name + " could not be loaded: " + oneLine(e);
    }

    /** The first line of what an exception says. */
    public static String oneLine(Throwable e) {
        String s = e.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
