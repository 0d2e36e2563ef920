package ristretto.kernel.irq;

import static ristretto.kernel.thread.ThreadState.*;

import ristretto.abi.ErrorCode;
import ristretto.abi.ThreadId;
import ristretto.kernel.Kernel;
import ristretto.kernel.debug.Trace;
import ristretto.kernel.ipc.InterruptIpc;
import ristretto.kernel.mem.Space;
import ristretto.kernel.sched.Processor;
import ristretto.kernel.thread.Lifecycle;
import ristretto.kernel.thread.Tcb;
import ristretto.machine.InterruptController;

/**
 * The interrupt threads of one kernel (§13.3): one per device line (1 .. lines − 1; line 0 is the
 * kernel's timer), made on first association, in a space of their own that nothing runs in.
 * States: {@code ABORTED} (no handler), {@code HALTED} (armed: the line is unmasked), {@code
 * POLLING} (queued at the handler), {@code WAITING_ACK} (delivered; the line is masked until the
 * handler acknowledges). Interrupt threads run at priority 255; after association the handler is
 * their scheduler and may change that with Schedule (l4test "Change priority associated").
 */
public final class Interrupts {
    private final Kernel kernel;
    private final Tcb[] threads;
    private Space space;

    public Interrupts(Kernel kernel) {
        this.kernel = kernel;
        this.threads = new Tcb[kernel.systemBase];
    }

    /** The interrupt thread of {@code line}, or null if none was ever associated. */
    public Tcb thread(int line) { return line >= 0 && line < threads.length ? threads[line] : null; }

    /**
     * ThreadControl on an interrupt thread (§11.1 step 3): {@code pager} = a thread associates it
     * with that handler, {@code pager} = the interrupt thread itself dissociates it. Validated
     * first: the ID must be {@code (line, 1)} of a device line, {@code SpaceSpecifier} the
     * interrupt thread itself, no scheduler and no UTCB location; the handler an existing, active
     * thread that is no interrupt thread; a line associated with another (living) handler is
     * refused. Answers 0 on success, else the X.2 error code (all "invalid thread" but the
     * specifier's "invalid space").
     */
    public int control(Tcb self, long dest, long spaceSpec, long scheduler, long pager, long utcbLocation) {
        int line = (int) (dest >>> 32);
        InterruptController pic = kernel.machine.interruptController();
        if (ThreadId.version(dest) != 1 || line <= InterruptController.TIMER_LINE || line >= pic.lines() || line >= threads.length)
            return ErrorCode.INVALID_THREAD;
        if (spaceSpec != dest) return ErrorCode.INVALID_THREAD;
        if (scheduler != ThreadId.NIL || utcbLocation != -1L) return ErrorCode.INVALID_THREAD;
        Tcb it = threads[line];
        if (pager == dest) {                                        // ---- dissociate
            if (it != null) dissociate(it, pic);
            return 0;
        }
        Tcb h = pager == ThreadId.NIL ? null : kernel.threads.lookup(pager, self);
        if (h == null || !h.activated() || h.irqLine >= 0) return ErrorCode.INVALID_THREAD;
        if (it != null && it.state != ABORTED && it.irqHandler != h.globalId && kernel.threads.lookupGlobal(it.irqHandler) != null)
            return ErrorCode.INVALID_THREAD;                        // associated with another thread already
        // ---- perform
        if (it == null) it = threads[line] = create(line, dest);
        if (it.state != ABORTED && it.irqHandler != h.globalId) dissociate(it, pic);   // its handler is gone
        it.irqHandler = h.globalId;
        it.scheduler = h.globalId;
        if (it.state == ABORTED) {
            it.state = HALTED;
            pic.unmask(line);
            if (pic.isPending(line)) kernel.processors[0].machineCpu.requestCheck();
        }
        kernel.trace(Trace.ACTIVATE, it, h);
        return 0;
    }

    private Tcb create(int line, long id) {
        if (space == null) space = kernel.spaces.create();
        Tcb t = Lifecycle.create(kernel, id, space, ThreadId.NIL);
        t.irqLine = line;
        t.ipcSender = id;
        t.prio = t.sensitivePrio = 255;
        t.state = ABORTED;
        return t;
    }

    private void dissociate(Tcb it, InterruptController pic) {
        InterruptIpc.handlerGone(it);
        it.scheduler = ThreadId.NIL;
        pic.mask(it.irqLine);
    }

    /**
     * {@code line} was acknowledged at the controller on CPU {@code p}: masks it and makes its
     * thread fire, if armed. Answers whether a handler was woken that outranks the thread running
     * on {@code p}, which is then preempted. Interrupts of a line nobody handles stay masked.
     */
    public boolean raised(int line, Processor p) {
        InterruptController pic = kernel.machine.interruptController();
        pic.mask(line);
        Tcb it = thread(line);
        if (it == null || it.state != HALTED) return false;         // spurious, or (cannot be) not armed
        Tcb h = kernel.threads.lookupGlobal(it.irqHandler);
        if (h == null || !h.activated()) {
            InterruptIpc.handlerGone(it);
            return false;
        }
        if (!InterruptIpc.fire(it, h)) return false;
        Tcb current = p.current;
        return h.cpu == p && (current == null || !current.runnable() || h.prio > current.prio);
    }

    /** Whether an armed or busy interrupt thread waits on a device that can raise at any time (host input). */
    public boolean expectsExternal() {
        if (!kernel.machine.hasExternalDevices()) return false;
        for (Tcb t : threads) if (t != null && t.state != ABORTED) return true;
        return false;
    }
}
