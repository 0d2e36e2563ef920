/**
 * User code for the tests of yieldpoints and metered computing, outside the {@code ristretto}
 * packages as user programs are: the tests load it through
 * {@code ristretto.kernel.load.InstrumentingLoader}, with and without yieldpoints.
 */
package compute;
