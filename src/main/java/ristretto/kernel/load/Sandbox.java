package ristretto.kernel.load;

/**
 * What every user program's class goes through before its space defines it: verification
 * ({@link Verifier}: refused classes are not loaded). The one transformation for programs, used
 * by {@code run} and for the programs Ristretto ships.
 */
public final class Sandbox {
    private Sandbox() {}

    public static final ClassTransform TRANSFORM = Verifier.TRANSFORM;
}
