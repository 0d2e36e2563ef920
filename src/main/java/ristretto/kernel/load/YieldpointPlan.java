package ristretto.kernel.load;

import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.classfile.instruction.ThrowInstruction;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where one method's yieldpoints go and what each charges, in bytecode instructions, computed
 * from the code alone (so the same class always costs the same: the virtual clock stays
 * deterministic). Instructions are numbered in code order; pseudo-instructions (labels, line
 * numbers, exception ranges) do not count.
 *
 * <ul>
 *   <li>A <b>back-edge</b> is a branch, goto or switch with a target at or before itself; its
 *       yieldpoint, just before it, charges the instructions from its earliest such target to
 *       the branch itself: the straight-line region of the loop it closes, counted once per
 *       iteration. (A loop that encloses another also counts the inner loop's instructions once
 *       per outer iteration; a loop made only of exception handlers has no back-edge and is not
 *       metered.)</li>
 *   <li>The <b>method entry</b> charges every instruction that lies in no loop region: what one
 *       call can run outside its loops (more when forward branches skip code, such as an early
 *       return or an unused exception handler), and at least 1.</li>
 * </ul>
 *
 * <p>Besides, the plan counts what {@link YieldpointWriter} adds code around in a method with
 * loops — calls, exits, exception handlers — so that the method's growth is known before it is
 * written.
 */
record YieldpointPlan(int entryCost, int[] backEdgeCost, int backEdges, int calls, int exits, Set<Label> handlers) {

    /** The cost of the yieldpoint before instruction {@code i}, or 0 if it has none. */
    int backEdgeCost(int i) { return backEdgeCost[i]; }

    /** Whether the method has a loop: its budget is then kept in a local ({@link YieldpointWriter}). */
    boolean loops() { return backEdges > 0; }

    /** The most bytes {@link YieldpointWriter} can add to the method (wide local indexes, long constants). */
    long maxExtraBytes() {
        long yieldpoint = YieldpointWriter.MAX_YIELDPOINT_BYTES;
        if (!loops()) return yieldpoint;
        return yieldpoint + YieldpointWriter.MAX_LOCAL_ENTRY_BYTES + (long) backEdges * YieldpointWriter.MAX_LOCAL_YIELDPOINT_BYTES
                + (long) calls * 2 * YieldpointWriter.MAX_MOVE_BYTES + (long) (exits + handlers.size()) * YieldpointWriter.MAX_MOVE_BYTES;
    }

    /** The fewest bytes the yieldpoints alone add: what no method can do without. */
    long minExtraBytes() { return (1L + backEdges) * YieldpointWriter.MIN_YIELDPOINT_BYTES; }

    static YieldpointPlan of(CodeModel code) {
        List<CodeElement> elements = code.elementList();
        Map<Label, Integer> at = new HashMap<>();           // label -> number of the instruction it precedes
        int n = 0;
        for (CodeElement e : elements) {
            if (e instanceof LabelTarget l) at.put(l.label(), n);
            else if (e instanceof Instruction) n++;
        }
        int[] cost = new int[n];
        boolean[] inLoop = new boolean[n];
        int i = 0, backEdges = 0, calls = 0, exits = 0;
        for (CodeElement e : elements) {
            if (!(e instanceof Instruction insn)) continue;
            int head = earliestBackwardTarget(insn, at, i);
            if (head >= 0) {
                cost[i] = i - head + 1;
                for (int j = head; j <= i; j++) inLoop[j] = true;
                backEdges++;
            }
            if (insn instanceof InvokeInstruction || insn instanceof InvokeDynamicInstruction) calls++;
            if (insn instanceof ReturnInstruction || insn instanceof ThrowInstruction) exits++;
            i++;
        }
        int outside = 0;
        for (boolean b : inLoop) if (!b) outside++;
        Set<Label> handlers = new HashSet<>();
        for (ExceptionCatch c : code.exceptionHandlers()) handlers.add(c.handler());
        return new YieldpointPlan(Math.max(1, outside), cost, backEdges, calls, exits, handlers);
    }

    /** The number of the earliest instruction at or before {@code i} that {@code insn} may jump to, or -1. */
    private static int earliestBackwardTarget(Instruction insn, Map<Label, Integer> at, int i) {
        int head = -1;
        switch (insn) {
            case BranchInstruction b -> head = backward(at.get(b.target()), i, head);
            case TableSwitchInstruction s -> {
                head = backward(at.get(s.defaultTarget()), i, head);
                for (SwitchCase c : s.cases()) head = backward(at.get(c.target()), i, head);
            }
            case LookupSwitchInstruction s -> {
                head = backward(at.get(s.defaultTarget()), i, head);
                for (SwitchCase c : s.cases()) head = backward(at.get(c.target()), i, head);
            }
            default -> { }
        }
        return head;
    }

    private static int backward(Integer target, int i, int head) {
        if (target == null || target > i) return head;
        return head < 0 ? target : Math.min(head, target);
    }
}
