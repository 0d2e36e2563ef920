package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.kernel.Scenario.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import ristretto.abi.Kip;
import ristretto.abi.ThreadId;
import ristretto.abi.UserCpu;
import ristretto.abi.Utcb;
import ristretto.system.Harness;
import ristretto.system.Ristretto;
import ristretto.user.L4;

/** The Kernel Interface Page (§12) as the root task reads it: KernelInterface and loads. */
class KipTest {

    /** What the root task read: named words, and the kernel descriptor's strings. */
    private record KipView(Map<String, Long> words, String strings) {
        long get(String name) {
            Long v = words.get(name);
            if (v == null) throw new IllegalArgumentException(name);
            return v;
        }
    }

    /** Reads the KIP from the root task. */
    private static KipView readKip() {
        Map<String, Long> kip = new LinkedHashMap<>();
        Scenario s = new Scenario();
        s.main(l4 -> {
            long base = l4.kernelInterface();
            kip.put("base", base);
            kip.put("reg version", l4.reg(UserCpu.R_API_VERSION));
            kip.put("reg flags", l4.reg(UserCpu.R_API_FLAGS));
            kip.put("reg kernel id", l4.reg(UserCpu.R_KERNEL_ID));
            kip.put("magic", l4.load(base + Kip.MAGIC_OFF));
            kip.put("version", l4.load(base + Kip.API_VERSION_OFF));
            kip.put("flags", l4.load(base + Kip.API_FLAGS_OFF));
            kip.put("kernel desc", l4.load(base + Kip.KERNEL_DESC_PTR_OFF));
            kip.put("thread info", l4.load(base + Kip.THREAD_INFO_OFF));
            kip.put("utcb info", l4.load(base + Kip.UTCB_AREA_INFO_OFF));
            kip.put("kip info", l4.load(base + Kip.KIP_AREA_INFO_OFF));
            kip.put("memory info", l4.load(base + Kip.MEMORY_INFO_OFF));
            kip.put("page info", l4.load(base + Kip.PAGE_INFO_OFF));
            kip.put("processor info", l4.load(base + Kip.PROCESSOR_INFO_OFF));
            kip.put("proc desc", l4.load(base + Kip.PROC_DESC_PTR_OFF));
            kip.put("clock info", l4.load(base + Kip.CLOCK_INFO_OFF));
            kip.put("root low", l4.load(base + Kip.ROOT_SERVER_OFF + 16));
            kip.put("root high", l4.load(base + Kip.ROOT_SERVER_OFF + 24));
            kip.put("my id", l4.myGlobalId());
            kip.put("my utcb", l4.myLocalId() - Utcb.MR0_OFFSET);
            long mi = kip.get("memory info");
            for (int i = 0; i < (int) mi; i++) {
                kip.put("mem" + i + ".0", l4.load(base + (mi >>> 32) + 16L * i));
                kip.put("mem" + i + ".1", l4.load(base + (mi >>> 32) + 16L * i + 8));
            }
            long kd = base + kip.get("kernel desc");
            for (int i = 0; i < 4; i++) kip.put("kd" + i, l4.load(kd + 8L * i));
            StringBuilder strings = new StringBuilder();
            for (int w = 0; w < 16; w++) {
                long word = l4.load(kd + 32 + 8L * w);
                for (int b = 0; b < 8; b++) strings.append((char) ((word >>> (8 * b)) & 0xFF));
            }
            s.log.add(strings.toString());
            kip.put("cpu0 internal kHz", l4.load(base + kip.get("proc desc") + 8));
        });
        s.run();
        return new KipView(kip, s.log.get(0));
    }

    @Test
    void theKipCarriesTheMagicTheX2VersionAnd64BitFlags() {
        KipView k = readKip();
        assertEquals(ROOT_KIP, k.get("base"), "the root's KIP area");
        assertEquals(Kip.MAGIC, k.get("magic") & 0xFFFF_FFFFL);
        long magic = k.get("magic");
        assertEquals('L', magic & 0xFF);
        assertEquals('4', (magic >>> 8) & 0xFF);
        assertEquals(0xE6, (magic >>> 16) & 0xFF);
        assertEquals('K', (magic >>> 24) & 0xFF);
        long v = k.get("version");
        assertEquals(0x84, (v >>> 24) & 0xFF, "version X.2");
        assertEquals(0x05, (v >>> 16) & 0xFF, "subversion");
        long f = k.get("flags");
        assertEquals(0, f & 3, "little endian");
        assertEquals(1, (f >>> 2) & 3, "64-bit");
        assertEquals(v, k.get("reg version"), "KernelInterface returns the version");
        assertEquals(f, k.get("reg flags"), "KernelInterface returns the flags");
        assertEquals(k.get("kd0"), k.get("reg kernel id"), "KernelInterface returns the kernel id");
    }

    @Test
    void threadInfoNamesTheThreadNumberRanges() {
        KipView k = readKip();
        long ti = k.get("thread info");
        int t = Kip.threadBits(ti), systemBase = Kip.systemBase(ti), userBase = Kip.userBase(ti);
        assertEquals(18, t);
        assertEquals(Scenario.MACHINE.interruptLines(), systemBase, "one interrupt thread per line");
        assertEquals(systemBase + 32, userBase);
        assertEquals(ThreadId.global(userBase + 2, 1), k.get("my id"), "the root task is UserBase + 2, version 1");
    }

    @Test
    void utcbAndKipAreaInfoDescribe1KiBUtcbsAndA4KiBKip() {
        KipView k = readKip();
        long ui = k.get("utcb info");
        assertEquals(1, ui & 0x3FF, "m");
        assertEquals(10, Kip.utcbAlignLog2(ui), "a: 1 KiB alignment");
        assertEquals(12, Kip.utcbMinAreaLog2(ui), "s: minimal area 4 KiB");
        assertEquals(Utcb.SIZE, Kip.utcbSize(ui));
        assertEquals(12, k.get("kip info") & 0x3F);
        assertEquals(0, k.get("my utcb") & (Utcb.SIZE - 1), "my UTCB is aligned as the KIP says");
        assertEquals(0, k.get("base") & 0xFFF, "the KIP is page aligned");
    }

    @Test
    void memoryDescriptorsCoverTheUserAreaConventionalMemoryTheKernelsReservedQuarterAndDeviceMemory() {
        KipView k = readKip();
        long mi = k.get("memory info");
        assertEquals(4, (int) mi, "four descriptors");
        long size = Scenario.MACHINE.memoryBytes();
        long kernelBase = size - Math.max(size / 4, 4L << 20);
        record Desc(int type, boolean virtual, long low, long high) {}
        List<Desc> d = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long w0 = k.get("mem" + i + ".0"), w1 = k.get("mem" + i + ".1");
            d.add(new Desc((int) (w0 & 0xF), (w0 & (1 << 9)) != 0, w0 & ~0x3FFL, (w1 & ~0x3FFL) + 0x3FF));
        }
        assertEquals(new Desc(Kip.MEM_CONVENTIONAL, true, 0, (1L << 48) - 1), d.get(0), "the user area, virtual");
        assertEquals(new Desc(Kip.MEM_CONVENTIONAL, false, 0, kernelBase - 1), d.get(1), "RAM below the kernel");
        assertEquals(new Desc(Kip.MEM_RESERVED, false, kernelBase, size - 1), d.get(2), "the kernel's memory");
        assertEquals(new Desc(Kip.MEM_DEDICATED, false, size, size + 32 * ristretto.abi.DeviceRegs.SLOT_BYTES - 1), d.get(3),
                "device memory: a register slot per interrupt line, above RAM");
        assertEquals(Ristretto.ROOT_MEMORY_BASE, k.get("root low"));
        assertEquals(Ristretto.ROOT_MEMORY_BASE + Ristretto.ROOT_MEMORY_SIZE - 1, k.get("root high"));
    }

    @Test
    void pageProcessorAndClockInfo() {
        KipView k = readKip();
        long pi = k.get("page info");
        assertEquals(7, pi & 7, "rwx supported");
        assertTrue((pi & (1L << 12)) != 0, "4 KiB pages");
        assertEquals(1, Kip.processors(k.get("processor info")));
        assertEquals(1_000_000, k.get("cpu0 internal kHz"));
        long ci = k.get("clock info");
        assertEquals(Scenario.MACHINE.timerPeriodNs() / 1000, (ci >>> 16) & 0xFFFF, "schedule precision = one timer tick");
    }

    @Test
    void theKernelDescriptorNamesTheKernelAndItsFeatures() {
        KipView k = readKip();
        assertEquals(Kernel.KERNEL_ID, k.get("kd0"));
        long supplier = k.get("kd3");
        assertEquals("Rist", new String(new char[] {(char) (supplier & 0xFF), (char) ((supplier >>> 8) & 0xFF),
                (char) ((supplier >>> 16) & 0xFF), (char) ((supplier >>> 24) & 0xFF)}));
        String[] strings = k.strings().split("\0", -1);
        assertTrue(strings[0].startsWith("Ristretto"), strings[0]);
        List<String> features = new ArrayList<>();
        for (int i = 1; i < strings.length && !strings[i].isEmpty(); i++) features.add(strings[i]);
        assertTrue(features.contains("redirection"), features.toString());
    }

    @Test
    void theKipIsReadOnlyForUserCode() {
        Scenario s = new Scenario();
        s.entry("writer", l4 -> {
            l4.setPager(ThreadId.NIL);                          // no pager: a fault stops the thread
            l4.store(l4.kernelInterface(), 0);
            s.log.add("wrote the KIP");
        });
        s.main(l4 -> {
            startHere(l4, id(l4, 1), 1, s.ip("writer"));
            l4.sleepMicros(1000);
            s.log.add("magic intact " + ((l4.load(l4.kernelInterface()) & 0xFFFF_FFFFL) == Kip.MAGIC));
        });
        Harness h = s.run();
        assertEquals(List.of("magic intact true"), s.log);
        assertTrue(h.kernel().stopReason(ThreadId.global(67, 1)).contains("write at 0xfffff000"),
                h.kernel().stopReason(ThreadId.global(67, 1)));
    }

    @Test
    void kernelInterfaceAnswersTheSameAtAnyStackDepth() {
        List<Long> answers = new ArrayList<>();
        Scenario s = new Scenario();
        s.main(l4 -> {
            for (int depth = 0; depth <= 1000; depth += 100) answers.add(nested(l4, depth));
            long first = l4.kernelInterface();
            for (int i = 0; i < 10_000; i++) if (l4.kernelInterface() != first) answers.add(-1L);
        });
        s.run(Harness.testOptions().withCheckedMode(false));
        assertEquals(11, answers.size());
        for (long a : answers) assertEquals(ROOT_KIP, a);
    }

    private static long nested(L4 l4, int depth) { return depth == 0 ? l4.kernelInterface() : nested(l4, depth - 1); }
}
