package ristretto.machine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ristretto.abi.BlockRegs;
import ristretto.abi.DeviceRegs;
import ristretto.abi.SerialRegs;
import ristretto.abi.TimerRegs;

/**
 * The register layouts drivers name ({@code ristretto.abi}) and the ones the devices implement
 * ({@code ristretto.machine}) are written twice, as a data sheet and its header file are, since
 * neither layer may see the other: every constant of the same name must agree, and each
 * device's identification word must be the one its driver looks for.
 */
class DeviceRegsTest {
    @Test
    void theAbiNamesTheRegistersTheDevicesImplement(@TempDir Path dir) throws Exception {
        assertEquals(DeviceRegs.SLOT_LOG2, Device.MMIO_LOG2);
        assertEquals(DeviceRegs.ID, Device.ID);
        assertAgree(SerialRegs.class, SerialDevice.class, 7);
        assertAgree(TimerRegs.class, ProgrammableTimer.class, 8);
        assertAgree(BlockRegs.class, BlockDevice.class, 12);
        assertEquals(SerialRegs.ID_VALUE, new SerialDevice(1).id());
        assertEquals(TimerRegs.ID_VALUE, new ProgrammableTimer(1).id());
        Path f = Files.write(dir.resolve("d"), new byte[512]);
        try (BlockDevice b = new BlockDevice(1, FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            assertEquals(BlockRegs.ID_VALUE, b.id());
        }
    }

    /** Every public static int or long of {@code abi} that {@code device} also has is equal; at least {@code atLeast} are shared. */
    private static void assertAgree(Class<?> abi, Class<?> device, int atLeast) throws ReflectiveOperationException {
        int shared = 0;
        for (Field a : abi.getFields()) {
            if (!Modifier.isStatic(a.getModifiers())) continue;
            Field d;
            try {
                d = device.getField(a.getName());
            } catch (NoSuchFieldException e) {
                continue;
            }
            assertEquals(((Number) a.get(null)).longValue(), ((Number) d.get(null)).longValue(), abi.getSimpleName() + "." + a.getName());
            shared++;
        }
        assertTrue(shared >= atLeast, abi.getSimpleName() + ": only " + shared + " constants shared with " + device.getSimpleName());
    }

    @Test
    void aNarrowLoadOfARegisterSeesItsLowBytesAndEmptySlotsReadZero() {
        Machine m = new Machine(Machine.Config.defaults().withMemory(1L << 20));
        SerialDevice serial = new SerialDevice(3, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        m.attach(serial);
        PhysicalMemory mem = m.memory();
        long base = m.mmioBase(3);
        assertEquals(1L << 20, m.deviceMemoryBase());
        assertEquals('U', mem.load(base, 1));
        assertEquals(SerialRegs.ID_VALUE, mem.load(base, 4));
        assertEquals(SerialRegs.ID_VALUE, mem.load(base));
        assertEquals(0, mem.load(m.mmioBase(4)), "no device on line 4");
        mem.store(m.mmioBase(4), 7);                            // ignored
        assertThrows(IndexOutOfBoundsException.class, () -> mem.load(m.deviceMemoryEnd()));
    }
}
