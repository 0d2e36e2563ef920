package ristretto.kernel.load;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.classfile.instruction.ThrowInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import ristretto.kernel.meter.MeterGate;

/**
 * Writes one method's yieldpoints as its code streams through, where its {@link YieldpointPlan}
 * says. Two shapes:
 *
 * <ul>
 *   <li><b>A method without loops</b> charges its entry on the meter itself — a read-modify-write
 *       of {@code MeterGate.budget} and a compare:
 *       <pre>
 *   getstatic MeterGate.budget;  ldc cost;  isub;  dup;  putstatic MeterGate.budget;  ifge ok
 *   invokestatic MeterGate.check
 * ok:</pre></li>
 *   <li><b>A method with loops</b> keeps the budget in a local variable while it runs, so that a
 *       back-edge costs an {@code iinc} and a compare on a register, as cheap as a loop counter,
 *       instead of a store and a load through memory every iteration (which also keeps the JIT
 *       from unrolling the loop well). The local is loaded at entry (minus the entry's cost),
 *       written back to {@code MeterGate.budget} before every call, return and throw, and read again
 *       after every call and at the start of every exception handler: whoever runs in between —
 *       a callee's yieldpoints, the kernel at a system call — sees and leaves the true budget.
 *       (A handler reached by an exception thrown in this very method loses the bytecodes since
 *       the last write-back: a little uncharged time, never a wrong budget.) At a back-edge:
 *       <pre>
 *   iinc budget, -cost;  iload budget;  ifge ok
 *   iload budget;  putstatic MeterGate.budget;  invokestatic MeterGate.check;  getstatic MeterGate.budget;  istore budget
 * ok:</pre></li>
 * </ul>
 *
 * A class initialiser is also bracketed with {@code MeterGate.initialising++} and {@code --} — before
 * its entry yieldpoint, on every return, and through a catch-all handler that rethrows, on every
 * exception: a thread inside an initialiser is pinned to its carrier and must not yield
 * ({@link MeterGate#initialising}).
 */
final class YieldpointWriter implements CodeTransform {
    private static final ClassDesc METER = ClassDesc.of(MeterGate.class.getName());
    private static final String BUDGET = "budget", CHECK = "check", INITIALISING = "initialising";

    /** Bytes of the shapes above: the smallest and largest yieldpoint on the meter, and the local kind. */
    static final int MIN_YIELDPOINT_BYTES = 15, MAX_YIELDPOINT_BYTES = 17;
    /** Entry of a method with loops: getstatic 3, ldc 3, isub 1, istore 4, iload 4, ifge 3, then the slow path. */
    static final int MAX_LOCAL_ENTRY_BYTES = 18 + 17;
    /** A back-edge on the local: iinc 6 (or iload, ldc, isub, istore: 12), iload 4, ifge 3, slow path 17. */
    static final int MAX_LOCAL_YIELDPOINT_BYTES = 12 + 4 + 3 + 17;
    /** One move between the local and the meter: iload/istore 4, getstatic/putstatic 3. */
    static final int MAX_MOVE_BYTES = 7;

    private final YieldpointPlan plan;
    private final boolean initialiser;
    private int instruction;
    private int local = -1;
    private Label start;

    YieldpointWriter(YieldpointPlan plan, boolean initialiser) {
        this.plan = plan;
        this.initialiser = initialiser;
    }

    @Override public void atStart(CodeBuilder b) {
        if (initialiser) {
            initialising(b, 1);
            start = b.newBoundLabel();
        }
        if (!plan.loops()) {
            yieldpoint(b, plan.entryCost());
            return;
        }
        local = b.allocateLocal(TypeKind.INT);
        b.getstatic(METER, BUDGET, ConstantDescs.CD_int).loadConstant(plan.entryCost()).isub().istore(local);
        checkLocal(b);
    }

    @Override public void accept(CodeBuilder b, CodeElement e) {
        if (e instanceof Instruction) {
            int cost = plan.backEdgeCost(instruction++);
            if (cost > 0) {
                if (cost <= Short.MAX_VALUE) b.iinc(local, -cost);
                else b.iload(local).loadConstant(cost).isub().istore(local);
                checkLocal(b);
            }
        }
        if (local < 0) {
            if (initialiser && e instanceof ReturnInstruction) initialising(b, -1);
            b.with(e);
            return;
        }
        switch (e) {
            case InvokeInstruction i -> call(b, e);
            case InvokeDynamicInstruction i -> call(b, e);
            case ReturnInstruction r -> {
                store(b);
                if (initialiser) initialising(b, -1);
                b.with(e);
            }
            case ThrowInstruction t -> {
                store(b);
                b.with(e);
            }
            case LabelTarget l when plan.handlers().contains(l.label()) -> {
                b.with(e);
                load(b);
            }
            default -> b.with(e);
        }
    }

    @Override public void atEnd(CodeBuilder b) {
        if (!initialiser) return;
        Label end = b.newBoundLabel(), handler = b.newBoundLabel();
        initialising(b, -1);
        b.athrow();
        b.exceptionCatchAll(start, end, handler);
    }

    /** A call: the callee meters on from the true budget, and this method from what it left. */
    private void call(CodeBuilder b, CodeElement e) {
        store(b);
        b.with(e);
        load(b);
    }

    private void store(CodeBuilder b) { b.iload(local).putstatic(METER, BUDGET, ConstantDescs.CD_int); }

    private void load(CodeBuilder b) { b.getstatic(METER, BUDGET, ConstantDescs.CD_int).istore(local); }

    /** {@code if (budget < 0) { MeterGate.budget = budget; MeterGate.check(); budget = MeterGate.budget; }} */
    private void checkLocal(CodeBuilder b) {
        Label ok = b.newLabel();
        b.iload(local).ifge(ok);
        store(b);
        b.invokestatic(METER, CHECK, ConstantDescs.MTD_void);
        load(b);
        b.labelBinding(ok);
    }

    /** {@code MeterGate.budget -= cost; if (MeterGate.budget < 0) MeterGate.check();} */
    static void yieldpoint(CodeBuilder b, int cost) {
        Label ok = b.newLabel();
        b.getstatic(METER, BUDGET, ConstantDescs.CD_int)
                .loadConstant(cost)
                .isub()
                .dup()
                .putstatic(METER, BUDGET, ConstantDescs.CD_int)
                .ifge(ok)
                .invokestatic(METER, CHECK, ConstantDescs.MTD_void)
                .labelBinding(ok);
    }

    private static void initialising(CodeBuilder b, int delta) {
        b.getstatic(METER, INITIALISING, ConstantDescs.CD_int).loadConstant(delta).iadd()
                .putstatic(METER, INITIALISING, ConstantDescs.CD_int);
    }
}
