package ristretto.abi;

/**
 * The programmable timer's registers (offsets in its {@link DeviceRegs} slot; 64-bit words,
 * times in machine ns). Write DEADLINE and CONTROL = {@link #ONE_SHOT} for one interrupt at
 * DEADLINE; write PERIOD (and optionally DEADLINE, the first expiry; 0 = now + PERIOD) and
 * CONTROL = {@link #PERIODIC} for one every PERIOD, on a fixed grid; CONTROL = {@link #STOPPED}
 * stops it. EXPIRIES counts expiries, also those merged while the line was masked.
 */
public final class TimerRegs {
    private TimerRegs() {}

    public static final long ID_VALUE = DeviceRegs.id("TIMR");
    public static final int NOW = 0x08, DEADLINE = 0x10, PERIOD = 0x18, CONTROL = 0x20, EXPIRIES = 0x28;
    public static final long STOPPED = 0, ONE_SHOT = 1, PERIODIC = 2;
}
