package ristretto.user.drivers;

import ristretto.abi.DeviceRegs;
import ristretto.abi.Fpage;
import ristretto.abi.Kip;
import ristretto.user.L4;
import ristretto.user.Sigma0Client;

/**
 * Finding and mapping a device's registers: device memory is the KIP's physical memory
 * descriptor of type dedicated (§12.2), one slot per interrupt line ({@link DeviceRegs}); a
 * driver asks sigma0 for its line's slot by an explicit request (§14.2), which maps it at its
 * physical address. Sigma0 gives a slot to the first thread that asks and refuses everyone
 * else; a page fault on device memory is never answered.
 */
public final class DeviceMemory {
    private DeviceMemory() {}

    /** The physical base of device memory, from the KIP; -1 if the KIP describes none. */
    public static long base(L4 l4) {
        long kip = l4.kernelInterface();
        long info = l4.load(kip + Kip.MEMORY_INFO_OFF);
        long off = info >>> 32;
        for (int i = 0; i < (int) info; i++) {
            long w0 = l4.load(kip + off + 16L * i);
            if ((w0 & 0xF) == Kip.MEM_DEDICATED && (w0 & 1 << 9) == 0) return w0 & ~0x3FFL;
        }
        return -1;
    }

    /** The physical address of line {@code line}'s registers (not mapped yet); -1 if there is no device memory. */
    public static long slot(L4 l4, int line) {
        long b = base(l4);
        return b < 0 ? -1 : DeviceRegs.slot(b, line);
    }

    /**
     * Maps line {@code line}'s registers into the caller's space, at their physical address, by
     * a request to sigma0; answers that address, or -1 if sigma0 refused (another thread has them).
     */
    public static long map(L4 l4, int line) {
        long a = slot(l4, line);
        if (a < 0) return -1;
        return Fpage.isNil(Sigma0Client.getPage(l4, a, DeviceRegs.SLOT_LOG2)) ? -1 : a;
    }
}
