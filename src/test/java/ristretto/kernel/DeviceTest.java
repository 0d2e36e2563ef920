package ristretto.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.abi.DeviceRegs;
import ristretto.abi.TimerRegs;
import ristretto.machine.Device;
import ristretto.machine.ProgrammableTimer;
import ristretto.system.Harness;
import ristretto.user.L4;
import ristretto.user.drivers.DeviceMemory;

/**
 * Simulated devices with user-level drivers: device memory handed out by sigma0 on explicit
 * request only, the programmable timer's one-shot and periodic interrupts at their virtual times.
 */
class DeviceTest {
    static final int LINE = 6;
    static final long IRQ = L4.interruptThread(LINE);

    static Harness run(Scenario s, Device... devices) {
        Harness h = Harness.boot(Scenario.MACHINE, Harness.testOptions(), s, Harness.TIME_LIMIT_NS);
        for (Device d : devices) h.kernel().machine().attach(d);
        h.runToHalt();
        Scenario.checked(h);
        return h;
    }

    @Test
    void theTimersOneShotAndPeriodicInterruptsComeAtTheirVirtualTimes() {
        Scenario s = new Scenario();
        long[] at = new long[5];
        s.main(l4 -> {
            long regs = DeviceMemory.map(l4, LINE);
            s.log.add("id " + (l4.load(regs + DeviceRegs.ID) == TimerRegs.ID_VALUE));
            l4.associateInterrupt(IRQ, l4.myGlobalId());
            l4.store(regs + TimerRegs.DEADLINE, 500_000);
            l4.store(regs + TimerRegs.CONTROL, TimerRegs.ONE_SHOT);
            long tag = l4.waitAny();
            at[0] = l4.load(regs + TimerRegs.NOW);
            s.log.add("one-shot " + L4.isInterrupt(tag) + ", then " + l4.load(regs + TimerRegs.CONTROL));
            l4.store(regs + TimerRegs.PERIOD, 200_000);
            l4.store(regs + TimerRegs.DEADLINE, 1_000_000);
            l4.store(regs + TimerRegs.CONTROL, TimerRegs.PERIODIC);
            for (int i = 1; i <= 4; i++) {
                tag = l4.acknowledgeAndWait(IRQ);
                at[i] = l4.load(regs + TimerRegs.NOW);
                if (!L4.isInterrupt(tag)) s.log.add("not an interrupt");
            }
            l4.store(regs + TimerRegs.CONTROL, TimerRegs.STOPPED);
            s.log.add("expiries " + l4.load(regs + TimerRegs.EXPIRIES));
            l4.send(IRQ);
            s.log.add("stopped: " + L4.failed(l4.waitAny(ristretto.abi.Timeout.period(1000))));
        });
        ProgrammableTimer timer = new ProgrammableTimer(LINE);
        run(s, timer);
        assertEquals(List.of("id true", "one-shot true, then 0", "expiries 5", "stopped: true"), s.log);
        long[] due = {500_000, 1_000_000, 1_200_000, 1_400_000, 1_600_000};
        for (int i = 0; i < due.length; i++)
            assertTrue(at[i] >= due[i] && at[i] < due[i] + 5_000, "interrupt " + i + " due at " + due[i] + " ns, handled at " + at[i]);
    }
}
