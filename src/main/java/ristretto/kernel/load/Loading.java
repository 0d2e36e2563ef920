package ristretto.kernel.load;

/**
 * How a kernel loads user programs: where their classes come from and what is done to each
 * class file before it is defined. Every space that runs a program image gets its own
 * {@link SpaceLoader} over the same source and transformation.
 */
public record Loading(ProgramSource source, ClassTransform transform) {
    /** No program source: every program is trusted host code, and program images find no class. */
    public static final Loading NONE = new Loading(ProgramSource.empty(), ClassTransform.IDENTITY);

    /**
     * Only the programs Ristretto ships ({@link ProgramSource#shipped}), sandboxed: what a system
     * whose root task is trusted host code can start as images.
     */
    public static final Loading SHIPPED = Sandbox.loading(ProgramSource.shipped());

    /** Programs from {@code source}, defined as they are. */
    public static Loading of(ProgramSource source) { return new Loading(source, ClassTransform.IDENTITY); }

    /** The loader of a space that has none yet ({@code space-<id>}). */
    public SpaceLoader newLoader(int spaceId) { return new SpaceLoader("space-" + spaceId, source, transform); }
}
