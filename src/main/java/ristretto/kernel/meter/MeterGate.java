package ristretto.kernel.meter;

import ristretto.kernel.sched.Meter;

/**
 * The gate from instrumented user code into the instruction meter, as {@code TrapGate} is the
 * gate for system calls: the only class of the kernel that a program's yieldpoints name, and so
 * the only one its space's class loader shares and the module exports to it ({@code SpaceLoader}).
 * It holds the CPU's bytecode budget and the count of running class initialisers that the
 * yieldpoints update, and passes an exhausted budget to the meter ({@link Meter#check}), which
 * owns both: user code that names this class itself is refused by verification.
 */
public final class MeterGate {
    private MeterGate() {}

    /** Bytecodes the running code may still execute before it must call {@link #check} ({@link Meter}). */
    public static int budget = Meter.UNMETERED_GRANT;
    /** How many class initialisers run on this CPU now ({@link Meter}: no yield inside one). */
    public static int initialising;

    /** A yieldpoint's budget ran out. */
    public static void check() { Meter.check(); }
}
