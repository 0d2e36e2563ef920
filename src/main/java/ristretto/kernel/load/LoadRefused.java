package ristretto.kernel.load;

/**
 * A class or program could not be loaded: not found, refused by a {@link ClassTransform}, or its
 * static initialiser or constructor failed. The message is one line, for people; there is no
 * stack trace, since where the loader noticed says nothing about the program.
 */
public final class LoadRefused extends Exception {
    public LoadRefused(String message) { super(message, null, false, false); }
}
