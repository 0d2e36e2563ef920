package ristretto.kernel.load;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.instruction.ReturnInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.reflect.AccessFlag;
import java.util.List;
import java.util.Map;
import ristretto.kernel.meter.MeterGate;
import ristretto.kernel.sched.Meter;

/**
 * Inserts yieldpoints into a user class (the technique of JikesRVM's yieldpoints and Go's loop
 * preemption): at every method entry and before every loop back-edge, a charge of the bytecodes
 * the code since the last one ran, and, when the CPU's budget runs out, a call of the kernel's
 * instruction meter, which charges the virtual clock and takes due events — so that a thread
 * computing without a system call is preempted at its timeslice's end like any other. What each
 * yieldpoint charges is {@link YieldpointPlan}'s; the meter is {@link Meter}.
 *
 * <p>A yieldpoint, 15 to 17 bytes of bytecode:
 * <pre>
 *   getstatic MeterGate.budget:I;  ldc cost;  isub;  dup;  putstatic MeterGate.budget:I
 *   ifge skip;  invokestatic MeterGate.check()V
 * skip:
 * </pre>
 * No allocation, no call on the fast path. Methods without code (abstract, native) are left
 * alone; constructors and {@code <clinit>} are instrumented like any method (a yieldpoint before
 * {@code super()} only touches static state, which the verifier allows), and a class initialiser
 * is bracketed besides with a count of running initialisers, during which the meter never yields
 * ({@link MeterGate#initialising}). Stack map frames are
 * generated anew, which needs the class hierarchy of the types the code merges: the class itself
 * is resolved from its own bytes, everything else by the given {@link ClassHierarchyResolver}.
 * A method whose code would outgrow the JVM's 65535 bytes cannot be instrumented and fails the
 * class, naming the method.
 */
public final class Yieldpoints {
    private Yieldpoints() {}

    /** The JVM's limit on one method's bytecode. */
    public static final int MAX_CODE_BYTES = 65535;
    private static final ClassDesc METER = ClassDesc.of(MeterGate.class.getName());
    private static final String BUDGET = "budget", CHECK = "check", INITIALISING = "initialising";

    /** As {@link #instrument(byte[], ClassHierarchyResolver)}, resolving other classes the way the system class loader finds them. */
    public static byte[] instrument(byte[] classFile) {
        return instrument(classFile, ClassHierarchyResolver.defaultResolver());
    }

    /**
     * The class file with yieldpoints inserted.
     *
     * @param resolver the hierarchy of the classes the code refers to (besides the class itself),
     *                 for the stack maps; see {@link #resolverFor}
     * @throws IllegalArgumentException if the class file is malformed, a method would outgrow
     *                                  {@link #MAX_CODE_BYTES}, or a class the stack maps need is unknown
     */
    public static byte[] instrument(byte[] classFile, ClassHierarchyResolver resolver) {
        ClassModel model = ClassFile.of().parse(classFile);
        String name = model.thisClass().asInternalName().replace('/', '.');
        ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                ClassFile.ClassHierarchyResolverOption.of(itself(model).orElse(resolver)));
        try {
            return cf.transformClass(model, ClassTransform.transformingMethods((mb, me) -> {
                if (me instanceof CodeModel code) {
                    YieldpointPlan plan = YieldpointPlan.of(code);
                    checkSize(name, code, plan);
                    boolean initialiser = code.parent().map(m -> m.methodName().equalsString(ConstantDescs.CLASS_INIT_NAME)).orElse(false);
                    mb.transformCode(code, new Insert(plan, initialiser));
                } else {
                    mb.with(me);
                }
            }));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot instrument " + name + ": " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().startsWith("Code length")
                            ? " (yieldpoints included; the JVM allows " + MAX_CODE_BYTES + " bytes a method: split it)" : ""), e);
        }
    }

    /**
     * A resolver for the classes of a program loaded by {@code loader}: the JDK's, then the
     * class files {@code loader} finds as resources. (Classes are parsed, never loaded: loading
     * one while its neighbour is being defined could recurse into the loader.)
     */
    public static ClassHierarchyResolver resolverFor(ClassLoader loader) {
        return ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(loader)).cached();
    }

    /**
     * Instrumentation as the loader's step, for the programs of {@code source}: the hierarchy of
     * their own classes is read from its class files (never loaded), the JDK's and the user
     * library's from the system's. A class that cannot be instrumented is refused, with the reason.
     */
    public static ristretto.kernel.load.ClassTransform transform(ProgramSource source) {
        ClassHierarchyResolver programs = ClassHierarchyResolver.ofResourceParsing(desc -> {
            String d = desc.descriptorString();
            try {
                byte[] b = d.startsWith("L") ? source.classFile(d.substring(1, d.length() - 1).replace('/', '.')) : null;
                return b == null ? null : new java.io.ByteArrayInputStream(b);
            } catch (java.io.IOException e) {
                return null;
            }
        });
        ClassHierarchyResolver resolver = ClassHierarchyResolver.defaultResolver().orElse(programs)
                .cached(() -> java.util.Collections.synchronizedMap(new java.util.HashMap<>()));
        return (className, classFile) -> {
            try {
                return instrument(classFile, resolver);
            } catch (IllegalArgumentException e) {
                throw new LoadRefused(e.getMessage());
            }
        };
    }

    /** The class being instrumented, as its own bytes describe it: it is not loaded yet. */
    private static ClassHierarchyResolver itself(ClassModel model) {
        ClassDesc self = model.thisClass().asSymbol();
        if (model.flags().has(AccessFlag.INTERFACE)) return ClassHierarchyResolver.of(List.of(self), Map.of());
        return model.superclass()
                .map(s -> ClassHierarchyResolver.of(List.of(), Map.of(self, s.asSymbol())))
                .orElse(ClassHierarchyResolver.of(List.of(), Map.of()));
    }

    /** Refuses, before building, a method that its yieldpoints would surely push past the limit. */
    private static void checkSize(String className, CodeModel code, YieldpointPlan plan) {
        if (!(code instanceof CodeAttribute attr)) return;
        long bytes = attr.codeLength() + (long) plan.yieldpoints() * YIELDPOINT_MIN_BYTES;
        if (bytes > MAX_CODE_BYTES) {
            String method = code.parent().map(Yieldpoints::describe).orElse("?");
            throw new IllegalArgumentException("cannot instrument " + className + "." + method + ": its "
                    + attr.codeLength() + " bytes of bytecode and " + plan.yieldpoints() + " yieldpoints (at least "
                    + YIELDPOINT_MIN_BYTES + " bytes each) exceed the JVM's " + MAX_CODE_BYTES + " bytes a method: split the method");
        }
    }

    /** The smallest yieldpoint: getstatic 3, iconst 1, isub 1, dup 1, putstatic 3, ifge 3, invokestatic 3. */
    static final int YIELDPOINT_MIN_BYTES = 15;

    /**
     * Emits one method's yieldpoints as its code streams through. A class initialiser is also
     * bracketed with {@code MeterGate.initialising++} and {@code --} — before its entry yieldpoint, on
     * every return, and through a catch-all handler that rethrows, on every exception: a thread
     * inside an initialiser is pinned to its carrier and must not yield ({@link MeterGate#initialising}).
     */
    private static final class Insert implements CodeTransform {
        private final YieldpointPlan plan;
        private final boolean initialiser;
        private int instruction;
        private Label start;

        Insert(YieldpointPlan plan, boolean initialiser) {
            this.plan = plan;
            this.initialiser = initialiser;
        }

        @Override public void atStart(CodeBuilder b) {
            if (initialiser) {
                initialising(b, 1);
                start = b.newBoundLabel();
            }
            yieldpoint(b, plan.entryCost());
        }

        @Override public void accept(CodeBuilder b, CodeElement e) {
            if (e instanceof Instruction) {
                int cost = plan.backEdgeCost(instruction++);
                if (cost > 0) yieldpoint(b, cost);
                if (initialiser && e instanceof ReturnInstruction) initialising(b, -1);
            }
            b.with(e);
        }

        @Override public void atEnd(CodeBuilder b) {
            if (!initialiser) return;
            Label end = b.newBoundLabel(), handler = b.newBoundLabel();
            initialising(b, -1);
            b.athrow();
            b.exceptionCatchAll(start, end, handler);
        }
    }

    private static void initialising(CodeBuilder b, int delta) {
        b.getstatic(METER, INITIALISING, ConstantDescs.CD_int).loadConstant(delta).iadd()
                .putstatic(METER, INITIALISING, ConstantDescs.CD_int);
    }

    /** {@code budget -= cost; if (budget < 0) MeterGate.check();} */
    static void yieldpoint(CodeBuilder b, int cost) {
        Label skip = b.newLabel();
        b.getstatic(METER, BUDGET, ConstantDescs.CD_int)
                .loadConstant(cost)
                .isub()
                .dup()
                .putstatic(METER, BUDGET, ConstantDescs.CD_int)
                .ifge(skip)
                .invokestatic(METER, CHECK, ConstantDescs.MTD_void)
                .labelBinding(skip);
    }

    /** A method's name and descriptor, for messages. */
    private static String describe(MethodModel m) { return m.methodName().stringValue() + m.methodType().stringValue(); }
}
