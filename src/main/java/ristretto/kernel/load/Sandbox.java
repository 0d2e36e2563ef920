package ristretto.kernel.load;

/**
 * What every user program's class goes through before its space defines it: verification
 * ({@link Verifier}: a refused class is not loaded), then yieldpoints ({@link Yieldpoints}). The one
 * transformation for programs, used by {@code run} and for the programs Ristretto ships.
 */
public final class Sandbox {
    private Sandbox() {}

    /** The sandbox for the programs of {@code source} (instrumentation reads their hierarchy from it). */
    public static ClassTransform of(ProgramSource source) {
        return Verifier.TRANSFORM.andThen(Yieldpoints.transform(source));
    }

    /** Programs from {@code source}, sandboxed. */
    public static Loading loading(ProgramSource source) { return new Loading(source, of(source)); }
}
