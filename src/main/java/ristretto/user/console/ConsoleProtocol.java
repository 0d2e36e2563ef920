package ristretto.user.console;

import ristretto.user.L4;

/**
 * The console's messages. WRITE: MR1 the byte count n (at most {@link #MAX_BYTES}), MR2.. the
 * bytes, eight to a word, little-endian; the reply (label 0, no words) says they were written.
 * READ: no words; the reply carries one line of input the same way, its newline included if it
 * had one. READY: what the server sends its creator (its pager) once, MR1 = 1 if it could open
 * the device, else 0.
 */
final class ConsoleProtocol {
    private ConsoleProtocol() {}

    static final long WRITE = 0xC0_01, READ = 0xC0_02, READY = 0xC0_03;
    /** Bytes in one message: 62 words of eight (MR1 holds the count). */
    static final int MAX_BYTES = 62 * 8;

    /** Loads {@code len} bytes of {@code b} from {@code off} as a message of {@code label}. */
    static void load(L4 l4, long label, byte[] b, int off, int len) {
        int words = (len + 7) >>> 3;
        l4.setMr(0, ristretto.abi.MsgTag.make(label, 1 + words, 0));
        l4.setMr(1, len);
        for (int w = 0; w < words; w++) {
            long v = 0;
            for (int i = 0; i < 8 && 8 * w + i < len; i++) v |= (b[off + 8 * w + i] & 0xFFL) << (8 * i);
            l4.setMr(2 + w, v);
        }
    }

    /** The bytes of a received message (count in MR1, bounded by the words it has). */
    static byte[] unload(L4 l4) {
        int u = ristretto.abi.MsgTag.u(l4.mr(0));
        long n = Math.max(0, Math.min(l4.mr(1), 8L * Math.max(0, u - 1)));
        byte[] b = new byte[(int) n];
        for (int i = 0; i < n; i++) b[i] = (byte) (l4.mr(2 + (i >>> 3)) >>> (8 * (i & 7)));
        return b;
    }
}
