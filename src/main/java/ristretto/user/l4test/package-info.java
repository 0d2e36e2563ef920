/**
 * l4test in Java: conformance checks that run inside a booted system as user programs, with
 * the names of Pistachio's l4test (§16). Used by {@code ./ristretto demo} and by the test suite.
 * User level only: depends on {@code ristretto.abi} and {@code ristretto.user}.
 */
package ristretto.user.l4test;
