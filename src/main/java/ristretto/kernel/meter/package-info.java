/**
 * The one piece of the kernel that instrumented user code names: {@link ristretto.kernel.meter.MeterGate},
 * the yieldpoints' gate into the instruction meter ({@code kernel.sched.Meter}). Kept apart so that
 * the module exports only this to the programs' class loaders. Depends on {@code kernel.sched}.
 */
package ristretto.kernel.meter;
