package ristretto.kernel.sched;

import jdk.internal.vm.Continuation;
import ristretto.abi.ExceptionMessage;
import ristretto.abi.ThreadId;
import ristretto.abi.Utcb;
import ristretto.kernel.Kernel;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.load.LoadRefused;
import ristretto.kernel.load.ProgramImage;
import ristretto.kernel.load.Programs;
import ristretto.kernel.load.SpaceLoader;
import ristretto.kernel.mem.CodeImage;
import ristretto.kernel.mem.Faults;
import ristretto.kernel.thread.Tcb;
import ristretto.kernel.thread.ThreadState;
import ristretto.kernel.thread.UserFault;
import ristretto.machine.Pte;

/**
 * User code on an L4 thread: how a thread starts at its IP (a word of the code image fetched
 * through the MMU), and what happens when its code returns or throws.
 */
final class UserCode {
    private UserCode() {}

    static Continuation newContinuation(Tcb t) {
        return new Continuation(Processor.SCOPE, () -> runUser(t));
    }

    /**
     * Starts a thread at its IP: the word there must be an entry of the code image (r-x) that the
     * thread's space may execute. A program image is loaded into the space first. Anything else
     * stops the thread like a fault; resumed, it starts again at whatever its IP is then.
     */
    private static void runUser(Tcb t) {
        Processor p = t.cpu;
        // Starting is a return to user level: a halt requested while the thread waited for its
        // start-up message takes effect before any of its code runs.
        if (t.pendingWork != 0) p.handlePending(t);
        while (true) {
            long ip = t.ip;
            long pa = p.machineCpu.translate(ip, Pte.X | Pte.R);
            CodeImage.Slot slot = pa < 0 ? null : t.kernel.code.slotAt(t.kernel.memory.load(pa));
            String refused;
            if (slot == null) {
                refused = "no executable entry point at IP 0x" + Long.toHexString(ip);
            } else if (!slot.executableIn(t.space)) {
                refused = "no executable entry point at IP 0x" + Long.toHexString(ip) + " in "
                        + (t.space.loader != null ? t.space.loader.getName() : "a space with no program")
                        + ": " + slot.name() + " was linked by the program of " + slot.owner().getName();
            } else if (slot.image() == null) {
                slot.entry().start(t.gate, ip, t.sp);
                return;
            } else {
                ProgramImage image = slot.image();
                SpaceLoader loader = t.kernel.spaces.loaderOf(t.space);
                Object program;
                try {
                    program = Programs.instantiate(loader, image.className(), image.type());
                } catch (LoadRefused e) {
                    Faults.stopSelf(t, p, "cannot start " + slot.name() + " in " + loader.getName() + ": " + e.getMessage());
                    continue;
                }
                image.launcher().start(program, loader, t.gate, ip, t.sp);
                return;
            }
            Faults.stopSelf(t, p, refused);
        }
    }

    /**
     * An exception escaped a thread's continuation. Thrown by user code (or a deliberate
     * {@link UserFault}), it is the program's exception: a thread with an exception handler gets
     * a fresh continuation that sends it the exception IPC ({@link #afterException}); one with
     * none stops. Thrown by kernel or machine code it is a kernel bug, reported as such with its
     * stack so that tests can never mistake one for the other.
     */
    static void failed(Tcb t, Throwable e) {
        Meter.account(t.cpu);
        Kernel k = t.kernel;
        t.cont = null;
        boolean kernelBug = !(e instanceof UserFault) && !(e instanceof IllegalMonitorStateException)
                && thrownByKernel(e);
        if (!kernelBug && t.state == ThreadState.RUNNING && t.word(Utcb.EXCEPTION_HANDLER) != ThreadId.NIL) {
            // The stack the exception escaped is gone: the IPC is made from a fresh one, which can block.
            t.cont = new Continuation(Processor.SCOPE, () -> afterException(t, e));
            t.cpu.scheduler.wake(t);
            return;
        }
        t.state = ThreadState.HALTED;
        t.stopReason = (kernelBug ? "KERNEL BUG: " : "user code threw ") + e;
        k.report((kernelBug ? "KERNEL BUG in " : "") + Faults.named(t) + " stopped: " + e
                + (kernelBug ? "" : ", and the thread has no exception handler"));
        if (!(e instanceof UserFault)) {           // a fault's report says it all; an exception needs its stack
            StringBuilder sb = new StringBuilder();
            for (StackTraceElement el : e.getStackTrace()) sb.append("\n    at ").append(el);
            k.report("  stack:" + sb);
        }
        k.trace(Trace.STOP, t, null);
    }

    /**
     * The body of a thread whose user code threw {@code e} and which has an exception handler:
     * a halt or a new IP that came meanwhile takes effect first; then the exception IPC ({@link
     * ExceptionMessage#JAVA_EXCEPTION}, or {@link ExceptionMessage#STACK_OVERFLOW} for a
     * StackOverflowError), and the thread starts afresh at the IP and SP of the handler's reply
     * — or, stopped, at its IP when it is resumed.
     */
    private static void afterException(Tcb t, Throwable e) {
        Processor p = t.cpu;
        if (t.pendingWork != 0) p.handlePending(t);
        int kind = e instanceof StackOverflowError ? ExceptionMessage.STACK_OVERFLOW : ExceptionMessage.JAVA_EXCEPTION;
        Faults.exception(t, p, kind, 0, "user code threw " + e);
        runUser(t);
    }

    /**
     * The innermost project frame of the exception (JDK frames skipped) is kernel or machine code.
     * A class the space's loader could not give its program (not found, not visible, refused) is
     * the program's failure, like one the JDK's loaders throw, so the loader's frames are skipped too.
     * A stack overflow that struck inside a yieldpoint's check is judged from the code the
     * yieldpoint is in: the check changes no kernel state where an overflow can strike ({@link Meter}).
     */
    static boolean thrownByKernel(Throwable e) {
        boolean loading = e instanceof ClassNotFoundException || e instanceof LinkageError;
        StackTraceElement[] frames = e.getStackTrace();
        int from = 0;
        if (e instanceof StackOverflowError)
            for (int i = 0; i < frames.length; i++)
                if (frames[i].getClassName().equals(Meter.class.getName()) && frames[i].getMethodName().equals("check")) from = i + 1;
                else if (frames[i].getClassName().equals("ristretto.kernel.meter.MeterGate")) from = i + 1;
        for (int i = from; i < frames.length; i++) {
            String c = frames[i].getClassName();
            if (loading && c.startsWith("ristretto.kernel.load.")) continue;
            if (c.startsWith("ristretto.")) return c.startsWith("ristretto.kernel.") || c.startsWith("ristretto.machine.");
        }
        return false;
    }

    static void returned(Tcb t) {
        Meter.account(t.cpu);
        t.cont = null;
        t.state = ThreadState.HALTED;
        t.stopReason = "returned from its entry point";
        t.kernel.trace(Trace.STOP, t, null);
    }
}
