/**
 * Programs Ristretto ships as images ({@code Linker.image}): each space that starts one loads it
 * through its own class loader, verified and instrumented like any user program, so its statics
 * are that space's. Not part of the user library: nothing here is shared between spaces. Uses
 * only {@code ristretto.user} and {@code ristretto.abi}.
 */
package ristretto.user.programs;
