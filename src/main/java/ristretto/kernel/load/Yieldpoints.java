package ristretto.kernel.load;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.reflect.AccessFlag;
import java.util.List;
import java.util.Map;
import ristretto.kernel.sched.Meter;

/**
 * Inserts yieldpoints into a user class (the technique of JikesRVM's yieldpoints and Go's loop
 * preemption): at every method entry and before every loop back-edge, a charge of the bytecodes
 * the code since the last one ran, and, when the CPU's budget runs out, a call of the kernel's
 * instruction meter, which charges the virtual clock and takes due events — so that a thread
 * computing without a system call is preempted at its timeslice's end like any other. Where the
 * yieldpoints go and what each charges is {@link YieldpointPlan}'s; the code they are made of,
 * a decrement and a compare on the fast path with no allocation, {@link YieldpointWriter}'s; the
 * meter is {@link Meter}.
 *
 * <p>Methods without code (abstract, native) are left alone; constructors and {@code <clinit>}
 * are instrumented like any method (code before {@code super()} may touch static state and
 * locals, which the verifier allows). Stack map frames are generated anew, which needs the class
 * hierarchy of the types the code merges: the class itself is resolved from its own bytes,
 * everything else by the given {@link ClassHierarchyResolver}. A method whose code would outgrow
 * the JVM's 65535 bytes cannot be instrumented and fails the class, naming the method.
 */
public final class Yieldpoints {
    private Yieldpoints() {}

    /** The JVM's limit on one method's bytecode. */
    public static final int MAX_CODE_BYTES = 65535;

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
                    mb.transformCode(code, new YieldpointWriter(plan, initialiser));
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
     * (The yieldpoints name only {@code kernel.meter.MeterGate}, whose package the space's loader
     * exports to its programs in the named module.)
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
        if (attr.codeLength() + plan.minExtraBytes() > MAX_CODE_BYTES) {
            String method = code.parent().map(Yieldpoints::describe).orElse("?");
            throw new IllegalArgumentException("cannot instrument " + className + "." + method + ": its "
                    + attr.codeLength() + " bytes of bytecode and " + (1 + plan.backEdges()) + " yieldpoints (at least "
                    + YieldpointWriter.MIN_YIELDPOINT_BYTES + " bytes each) exceed the JVM's " + MAX_CODE_BYTES + " bytes a method: split the method");
        }
    }

    /** A method's name and descriptor, for messages. */
    private static String describe(MethodModel m) { return m.methodName().stringValue() + m.methodType().stringValue(); }
}
