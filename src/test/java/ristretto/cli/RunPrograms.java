package ristretto.cli;

import ristretto.abi.Timeout;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/** Root programs for {@link RunCommandTest}, each showing one way a run can end or fail to start. */
public final class RunPrograms {
    private RunPrograms() {}

    public static final class Finishes implements Program {
        @Override public void main(L4 l4) { System.out.println("hello " + l4.args()); }
    }

    /** Reads the first sector of the --disk through the user-level block driver and prints its text. */
    public static final class ReadsDisk implements Program {
        @Override public void main(L4 l4) {
            var disk = ristretto.user.drivers.BlockDriver.open(l4, ristretto.abi.DeviceRegs.DISK_LINE, 12);
            byte[] sector = new byte[512];
            if (disk == null || !disk.read(0, 1, sector, 0)) throw new IllegalStateException("no disk");
            System.out.println(new String(sector, java.nio.charset.StandardCharsets.US_ASCII).trim() + ", " + disk.capacity() + " sectors");
        }
    }

    public static final class Throws implements Program {
        @Override public void main(L4 l4) { throw new IllegalStateException("boom"); }
    }

    /** A load from an address nobody mapped: the kernel stops the thread (page fault). */
    public static final class Faults implements Program {
        @Override public void main(L4 l4) { l4.load(0x40_0000_0000L); }
    }

    /** The root task waits for a child that waits for the root task. */
    public static final class Deadlocks implements Program {
        private long peer;

        @Override public void link(Linker linker) { peer = linker.entry("peer", l4 -> l4.receive(l4.pager())); }

        @Override public void main(L4 l4) { l4.receive(new Threads(l4).inMySpace(peer, 0)); }
    }

    /** A child stops the root task while it sleeps; nobody resumes it. */
    public static final class HaltedByChild implements Program {
        private long stopper;

        @Override public void link(Linker linker) { stopper = linker.entry("stopper", l4 -> l4.stop(l4.pager())); }

        @Override public void main(L4 l4) {
            new Threads(l4).inMySpace(stopper, 0);
            l4.sleep(Timeout.micros(100));
            System.out.println("resumed");
        }
    }

    /** Never ends, but sleeps in between: cheap virtual time. */
    public static final class SleepsForever implements Program {
        @Override public void main(L4 l4) {
            while (true) l4.sleep(Timeout.micros(1000));
        }
    }

    /** Never ends and never blocks: system calls only. */
    public static final class SpinsInKernel implements Program {
        @Override public void main(L4 l4) {
            while (true) l4.systemClock();
        }
    }

    /** Never enters the kernel until {@link #released}: it cannot be preempted. */
    public static final class SpinsInJava implements Program {
        public static volatile boolean released;

        @Override public void main(L4 l4) {
            while (!released) Thread.onSpinWait();
        }
    }

    /** Creates a thread with number 300,066: beyond 2^18, the default thread table. */
    public static final class BigThreadNumber implements Program {
        private long idle;

        @Override public void link(Linker linker) { idle = linker.entry("idle", l4 -> {}); }

        @Override public void main(L4 l4) {
            System.out.println("created " + ristretto.abi.ThreadId.toString(new Threads(l4, 300_000).inMySpace(idle, 0)));
        }
    }

    public static final class NotAProgram {}

    public abstract static class Abstract implements Program {}

    public static final class NoDefaultConstructor implements Program {
        public NoDefaultConstructor(int x) {}

        @Override public void main(L4 l4) {}
    }

    public static final class BadStatic implements Program {
        static final int X = Integer.parseInt("not a number");

        @Override public void main(L4 l4) {}
    }

    public static final class BadConstructor implements Program {
        public BadConstructor() { throw new UnsupportedOperationException("no"); }

        @Override public void main(L4 l4) {}
    }

    public static final class BadLink implements Program {
        @Override public void link(Linker linker) { throw new IllegalStateException("cannot link"); }

        @Override public void main(L4 l4) {}
    }
}
