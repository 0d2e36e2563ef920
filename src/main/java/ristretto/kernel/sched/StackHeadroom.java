package ristretto.kernel.sched;

import static java.lang.classfile.ClassFile.ACC_FINAL;
import static java.lang.classfile.ClassFile.ACC_PUBLIC;
import static java.lang.classfile.ClassFile.ACC_STATIC;
import static java.lang.classfile.ClassFile.ACC_SUPER;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jdk.internal.vm.Continuation;

/**
 * Stack headroom for kernel code, which runs on the stack of the user thread that entered it: a
 * kernel operation must never run out of stack half-way, or a thread that recursed to the edge of
 * its stack before a system call could leave kernel state half-changed.
 *
 * <p><b>The probe.</b> Every HotSpot method entry "bangs" the stack below its frame and throws
 * {@link StackOverflowError} there, before the method does anything, if that part of the stack is
 * not available. Compiled code bangs the larger of its frame and the interpreter frames it would
 * need after deoptimization, which grow with the method's {@code max_locals}. {@link #kernelFits()}
 * calls a generated method with 28 KiB of locals (and a never-taken branch that keeps the debug
 * info that makes compilers honour them, padded so that it is never inlined): called at kernel
 * entry, before anything changes, it answers whether the kernel's deepest path
 * ({@link #KERNEL_BYTES}) fits. Compiled, it costs about a nanosecond (the bang touches a few
 * pages); interpreted, about a microsecond until the gate is compiled. Probes larger than about
 * 40 KiB get expensive (the banged pages share one L1 set), so the kernel path must stay within it.
 * When it does not fit, a thread mounted on another's stack moves to the bottom of the carrier's
 * stack and enters again; a thread already there has recursed too deep itself, and gets its own
 * {@code StackOverflowError} ({@link Processor#noHeadroom}).
 *
 * <p><b>Nested switches.</b> Mounting a continuation on top of the running one ({@link
 * Processor#switchNested}) needs room for the receiver's whole top stack chunk, and HotSpot does
 * not throw when that room is missing: the JVM crashes. So before nesting, the receiver's chunk is
 * measured (two fields of JDK internals, read through {@code --add-opens
 * java.base/jdk.internal.vm}) and a probe of that size plus a margin must pass; otherwise the
 * receiver is mounted by the dispatcher, at the bottom of the carrier's stack.
 *
 * <p><b>Yields.</b> Freezing a continuation that has interpreted frames needs C++ stack in
 * proportion to its depth, and throws when it is short; the dispatcher's yield catches that and
 * rolls the switch back ({@link Processor#yieldTo}).
 *
 * <p>Measured on JDK 25 (x86-64, 4 KiB pages) by a stress test that overflows at every depth.
 */
public final class StackHeadroom {
    private StackHeadroom() {}

    /** The stack the kernel's deepest path needs (Java frames, interpreted), and the probe's slack. */
    public static final int KERNEL_BYTES = 24 * 1024, SLACK_BYTES = 4 * 1024;
    /** Headroom kept above a receiver's chunk when it is mounted nested. */
    static final int NESTED_MARGIN = 16 * 1024;

    /** A method whose entry bangs a fixed amount of stack; generated, see the class comment. */
    public abstract static class Probe {
        public abstract void bang();
    }

    private static final Probe KERNEL = generate(KERNEL_BYTES + SLACK_BYTES, false);
    /** Probes of 4 KiB .. 512 KiB, never inlined, for data-dependent sizes. */
    private static final Probe[] SIZED = new Probe[8];
    static {
        for (int i = 0; i < SIZED.length; i++) SIZED[i] = generate(4096 << i, false);
    }

    /** Whether the kernel's deepest path fits on the stack here; asked before anything changes. */
    public static boolean kernelFits() {
        try {
            KERNEL.bang();
            return true;
        } catch (StackOverflowError e) {
            return false;
        }
    }

    /** Whether {@code bytes} more stack are available (rounded up to a power of two, at most 512 KiB). */
    static boolean available(int bytes) {
        int i = Math.max(0, 32 - Integer.numberOfLeadingZeros(Math.max(bytes, 4096) - 1) - 12);
        if (i >= SIZED.length) return false;
        try {
            SIZED[i].bang();
            return true;
        } catch (StackOverflowError e) {
            return false;
        }
    }

    /** Whether {@code c} can be mounted on the current stack: room for its top chunk and a margin. */
    static boolean canMountNested(Continuation c) {
        int chunk = chunkBytes(c);
        if (chunk < 0) return false;
        // The entry's probe (kernelFits) has just proved KERNEL_BYTES + SLACK_BYTES below the gate,
        // and the fast path calls switchNested from the gate itself: a mount that fits in
        // KERNEL_BYTES needs no probe of its own (the slack covers the frames in between).
        return chunk + NESTED_MARGIN <= KERNEL_BYTES || available(chunk + NESTED_MARGIN);
    }

    // ---------------------------------------------------------------- the receiver's chunk

    private static final VarHandle TAIL, CHUNK_SP, CHUNK_BOTTOM, CHUNK_PARENT;
    static {
        VarHandle tail = null, sp = null, bottom = null, parent = null;
        try {
            var l = MethodHandles.privateLookupIn(Continuation.class, MethodHandles.lookup());
            Class<?> chunk = Class.forName("jdk.internal.vm.StackChunk");
            tail = l.findVarHandle(Continuation.class, "tail", chunk);
            var lc = MethodHandles.privateLookupIn(chunk, MethodHandles.lookup());
            sp = lc.findVarHandle(chunk, "sp", int.class);
            bottom = lc.findVarHandle(chunk, "bottom", int.class);
            parent = lc.findVarHandle(chunk, "parent", chunk);
        } catch (ReflectiveOperationException | IllegalAccessError | SecurityException | IllegalArgumentException e) {
            // Without --add-opens java.base/jdk.internal.vm the size is unknown: never nest.
        }
        TAIL = tail;
        CHUNK_SP = sp;
        CHUNK_BOTTOM = bottom;
        CHUNK_PARENT = parent;
    }

    /** Whether nested switches can be guarded (the JVM was started with the opens they need). */
    public static boolean chunkSizeKnown() { return TAIL != null; }

    /** The bytes of frames in {@code c}'s top stack chunk (what mounting it needs room for), or -1 if unknown. */
    static int chunkBytes(Continuation c) {
        if (TAIL == null) return -1;
        Object t = TAIL.get(c);
        return t == null ? 0 : ((int) CHUNK_BOTTOM.get(t) - (int) CHUNK_SP.get(t)) * 8;
    }

    /**
     * How many bytes of frames a thread may keep frozen in the heap. A continuation is mounted
     * lazily: a thread that runs again after a switch gets only its top frames back on the
     * carrier's stack, the rest following as it returns. So a recursion that is preempted again
     * and again is never stopped by the carrier's stack, and would grow in the heap until the
     * whole JVM runs out of memory; a yieldpoint's check stops it here with a StackOverflowError
     * of its own ({@link Meter}). Eight times a default thread stack: no program that runs
     * unpreempted on a carrier gets near it.
     */
    public static final long MAX_FROZEN_BYTES = 8L << 20;

    /** The bytes of frames in all of {@code c}'s stack chunks (its frozen frames), or -1 if unknown. */
    static long frozenBytes(Continuation c) {
        if (TAIL == null || CHUNK_PARENT == null) return -1;
        long bytes = 0;
        for (Object t = TAIL.get(c); t != null; t = CHUNK_PARENT.get(t))
            bytes += ((int) CHUNK_BOTTOM.get(t) - (int) CHUNK_SP.get(t)) * 8L;
        return bytes;
    }

    // ---------------------------------------------------------------------- generation

    private static Probe generate(int bytes, boolean inlinable) {
        int slots = Math.min(65535, Math.max(2, bytes / 8));          // 8 bytes a slot on 64-bit HotSpot
        String name = StackHeadroom.class.getName() + "$Bang" + bytes + (inlinable ? "" : "N");
        ClassDesc self = ClassDesc.of(name), sup = ClassDesc.of(Probe.class.getName());
        byte[] bytecode = ClassFile.of().build(self, cb -> {
            cb.withFlags(ACC_PUBLIC | ACC_FINAL | ACC_SUPER);
            cb.withSuperclass(sup);
            cb.withField("trap", ConstantDescs.CD_int, ACC_PUBLIC | ACC_STATIC);        // always 0
            cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ACC_PUBLIC, c -> c
                    .aload(0).invokespecial(sup, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
            cb.withMethodBody("bang", ConstantDescs.MTD_void, ACC_PUBLIC | ACC_FINAL, c -> {
                var rare = c.newLabel();
                c.getstatic(self, "trap", ConstantDescs.CD_int).ifne(rare).return_();   // the hot path
                c.labelBinding(rare).iconst_0().istore(slots - 1);                       // max_locals = slots
                if (!inlinable) for (int i = 0; i < 200; i++) c.iconst_0().pop();       // beyond FreqInlineSize
                c.aconst_null().athrow();                                                // debug info for C1
            });
        });
        try {
            return (Probe) MethodHandles.lookup().defineClass(bytecode).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
