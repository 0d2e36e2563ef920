package ristretto.kernel.load;

/**
 * What a {@link SpaceLoader} does to a class file between reading it and defining it: where
 * verification (refuse) and instrumentation (rewrite) plug in. Called once per class and space,
 * possibly from several CPUs at once, so an implementation keeps no mutable state.
 */
@FunctionalInterface
public interface ClassTransform {
    /** Leaves every class file as it is. */
    ClassTransform IDENTITY = (className, classFile) -> classFile;

    /**
     * The class file to define for {@code className} (binary name, {@code a.b.C$D}).
     *
     * @throws LoadRefused with a one-line reason naming the class, method and instruction
     */
    byte[] apply(String className, byte[] classFile) throws LoadRefused;

    /** This transformation, then {@code next} on its result (verify, then instrument). */
    default ClassTransform andThen(ClassTransform next) {
        return (className, classFile) -> next.apply(className, apply(className, classFile));
    }
}
