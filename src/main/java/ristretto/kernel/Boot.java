package ristretto.kernel;

import ristretto.abi.Fpage;
import ristretto.abi.Kip;
import ristretto.abi.ThreadId;
import ristretto.abi.UserEntry;
import ristretto.abi.Utcb;
import ristretto.kernel.mem.CodeImage;
import ristretto.kernel.mem.Space;
import ristretto.kernel.thread.Lifecycle;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.ThreadState;
import ristretto.machine.Machine;
import ristretto.machine.PhysicalMemory;
import ristretto.machine.Pte;

/**
 * Boot: builds the KIP, creates sigma0, sigma1 (optional) and the root task at the KIP's thread
 * numbers (§14.1), each in its own privileged space at priority 255, and leaves them ready.
 *
 * <p>Physical memory layout: conventional memory below the kernel's reserved top quarter, then
 * (above RAM) the devices' registers, described as dedicated memory. The
 * KIP names the root task's memory region (its "image"); sigma0 holds it for the root task,
 * which gets it, like all its memory, from sigma0 (§14). Sigma0's space is physical memory:
 * the kernel maps its pages 1:1, as the roots of the mapping database, when it touches or maps them.
 */
public final class Boot {
    private Boot() {}

    /** The root servers' fixed areas: KIP just below 4 GiB, UTCB area of 2^30 bytes at 64 GiB. */
    public static final long ROOT_KIP_AREA = Fpage.log2(0xFFFF_F000L, Kip.LOG2_SIZE);
    public static final long ROOT_UTCB_AREA = Fpage.log2(0x10_0000_0000L, 30);
    /** UTCB size 1·2^10, alignment 2^10, minimal UTCB area 2^12. */
    public static final long UTCB_AREA_INFO = Kip.utcbAreaInfo(1, Utcb.LOG2_ALIGN, 12);

    /** What the boot loader hands the kernel: the root servers' code and the root memory. */
    public record Image(UserEntry sigma0, UserEntry sigma1, UserEntry root, long rootMemoryBase, long rootMemorySize) {}

    public static Kernel boot(Machine machine, Kernel.Options options, Image image) {
        PhysicalMemory mem = machine.memory();
        long kernelBase = (mem.size() - Math.max(mem.size() / 4, 4L << 20)) & ~(PhysicalMemory.PAGE_SIZE - 1);
        if (image.rootMemoryBase() + image.rootMemorySize() > kernelBase)
            throw new IllegalArgumentException("root memory overlaps kernel memory");
        if (CodeImage.overlaps(image.rootMemoryBase(), image.rootMemorySize())
                || overlaps(image.rootMemoryBase(), image.rootMemorySize(), ROOT_KIP_AREA)
                || overlaps(image.rootMemoryBase(), image.rootMemorySize(), ROOT_UTCB_AREA))
            throw new IllegalArgumentException("root memory overlaps the code image, KIP or UTCB area");
        Kernel k = new Kernel(machine, options, kernelBase);
        machine.limitDma(kernelBase);                  // devices cannot write kernel memory
        k.kipFrame = k.kernelFrames.allocate();
        writeKip(k, kernelBase, image);

        int ub = k.userBase;
        k.sigma0Id = ThreadId.global(ub, 1);
        k.sigma1Id = image.sigma1() == null ? ThreadId.NIL : ThreadId.global(ub + 1, 1);
        k.rootId = ThreadId.global(ub + 2, 1);
        Tcb sigma0 = rootServer(k, k.sigma0Id, k.rootId, ThreadId.NIL, k.registerEntry("sigma0", image.sigma0()), 0);
        sigma0.space.physical = true;
        if (image.sigma1() != null)
            rootServer(k, k.sigma1Id, k.rootId, k.sigma0Id, k.registerEntry("sigma1", image.sigma1()), 0);
        Tcb root = rootServer(k, k.rootId, k.rootId, k.sigma0Id, k.registerEntry("root", image.root()),
                image.rootMemoryBase() + image.rootMemorySize());
        return k;
    }

    private static boolean overlaps(long base, long size, long fpage) {
        long b = Fpage.address(fpage);
        return base < b + (1L << Fpage.log2Size(fpage)) && b < base + size;
    }

    private static Tcb rootServer(Kernel k, long id, long scheduler, long pager, long ip, long sp) {
        Space s = k.spaces.create();
        s.privileged = true;
        s.kipArea = ROOT_KIP_AREA;
        s.utcbArea = ROOT_UTCB_AREA;
        k.spaces.mapKernelAreas(s);
        Tcb t = Lifecycle.create(k, id, s, scheduler);
        t.utcbLocation = s.utcbBase();
        if (!Lifecycle.activate(t, pager)) throw new IllegalStateException("no kernel memory for a root server UTCB");
        t.awaitingStartup = false;           // root servers start directly, without a start-up IPC
        t.state = ThreadState.RUNNING;
        t.partner = ThreadId.NIL;
        t.prio = t.sensitivePrio = 255;
        t.ip = ip;
        t.sp = sp;
        k.processors[0].scheduler.wake(t);
        return t;
    }

    private static void writeKip(Kernel k, long kernelBase, Image image) {
        PhysicalMemory m = k.memory;
        long b = k.kipFrame;
        m.store(b + Kip.MAGIC_OFF, Kip.MAGIC);
        m.store(b + Kip.API_VERSION_OFF, Kip.API_VERSION);
        m.store(b + Kip.API_FLAGS_OFF, Kip.API_FLAGS);
        m.store(b + Kip.KERNEL_DESC_PTR_OFF, Kip.KERNEL_DESC_OFF);
        m.store(b + Kip.ROOT_SERVER_OFF + 16, image.rootMemoryBase());
        m.store(b + Kip.ROOT_SERVER_OFF + 24, image.rootMemoryBase() + image.rootMemorySize() - 1);
        m.store(b + Kip.UTCB_AREA_INFO_OFF, UTCB_AREA_INFO);
        m.store(b + Kip.KIP_AREA_INFO_OFF, Kip.LOG2_SIZE);
        m.store(b + Kip.PROC_DESC_PTR_OFF, Kip.PROC_DESC_OFF);
        long tickUs = Math.max(1, k.machine.config().timerPeriodNs() / 1000);
        m.store(b + Kip.CLOCK_INFO_OFF, Kip.clockInfo(1, (int) Math.min(tickUs, 0xFFFF)));
        m.store(b + Kip.THREAD_INFO_OFF, Kip.threadInfo(k.threadBits, k.systemBase, k.userBase));
        m.store(b + Kip.PAGE_INFO_OFF, (1L << PhysicalMemory.PAGE_BITS) | Pte.RWX);
        m.store(b + Kip.PROCESSOR_INFO_OFF, Kip.processorInfo(k.processors.length, 5));
        for (int i = 0; i < k.processors.length; i++) {       // 4 words: external, internal kHz
            m.store(b + Kip.PROC_DESC_OFF + 32L * i, 1_000_000);
            m.store(b + Kip.PROC_DESC_OFF + 32L * i + 8, 1_000_000);
        }
        long[][] descs = {
                {Kip.memDescWord0(0, Kip.MEM_CONVENTIONAL, true), Kip.memDescWord1(ristretto.machine.PageTable.VA_LIMIT - 1)},
                {Kip.memDescWord0(0, Kip.MEM_CONVENTIONAL, false), Kip.memDescWord1(kernelBase - 1)},
                {Kip.memDescWord0(kernelBase, Kip.MEM_RESERVED, false), Kip.memDescWord1(m.size() - 1)},
                // Device registers: dedicated memory, which sigma0 hands out on explicit request only.
                {Kip.memDescWord0(k.machine.deviceMemoryBase(), Kip.MEM_DEDICATED, false), Kip.memDescWord1(k.machine.deviceMemoryEnd() - 1)},
        };
        m.store(b + Kip.MEMORY_INFO_OFF, Kip.memoryInfo(descs.length, Kip.MEM_DESC_OFF));
        for (int i = 0; i < descs.length; i++) {
            m.store(b + Kip.MEM_DESC_OFF + 16L * i, descs[i][0]);
            m.store(b + Kip.MEM_DESC_OFF + 16L * i + 8, descs[i][1]);
        }
        long kd = b + Kip.KERNEL_DESC_OFF;
        m.store(kd, Kernel.KERNEL_ID);
        m.store(kd + 8, 26 << 9 | 11 << 5 | 22);                       // 2026-11-22
        m.store(kd + 16, (0L << 24) | (1L << 16));                      // version 0.1.0
        m.store(kd + 24, 'R' | 'i' << 8 | 's' << 16 | 't' << 24);       // supplier
        byte[] strings = "Ristretto L4 X.2 on the JVM\0virtualclock\0redirection\0timepoints\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < strings.length; i++) m.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, kd + 32 + i, strings[i]);
    }
}
