/**
 * The command line ({@code ./ristretto demo | run | bench}), built with picocli.
 * May depend on every layer.
 */
package ristretto.cli;
