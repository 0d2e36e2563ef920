package ristretto.kernel.load;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.ConstantDynamicEntry;
import java.lang.classfile.constantpool.LoadableConstantEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.MethodHandleEntry;
import java.lang.classfile.constantpool.MethodTypeEntry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.lang.reflect.AccessFlag;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Checks a user class file before it is defined: a program may compute, allocate, use the JDK's
 * collections and strings, and reach the kernel through system calls — nothing that would block
 * the CPU's carrier thread, end or escape the simulator, or reach code past this check. The
 * problems are returned, all of them, as {@link Refusal}s; the loader defines a class only if
 * there are none. Read with the JDK's ClassFile API ({@code java.lang.classfile}).
 *
 * <p>What is refused, and why (the rows of {@link Rules} give every owner and member):
 * <ol>
 *   <li><b>Monitors</b>: {@code monitorenter}, {@code monitorexit} and {@code synchronized}
 *       methods. A monitor belongs to the carrier thread that runs every L4 thread of the CPU:
 *       held across a system call it pins the CPU, or a thread that stops on a fault holding it
 *       deadlocks the machine. Mutual exclusion is a server thread reached by IPC.
 *   <li><b>Blocking JDK APIs</b>: {@code Object.wait/notify}, every member of {@code Thread},
 *       {@code ThreadGroup} and {@code ThreadLocal}/{@code ScopedValue} (per carrier, so shared by
 *       all L4 threads of a CPU — the UTCB's thread words are per L4 thread), the locks, blocking
 *       queues, synchronizers, futures and executors of {@code java.util.concurrent},
 *       {@code TimeUnit.sleep}, parallel streams and sorts (the common pool), and blocking host
 *       I/O (files, sockets, channels, processes, {@code System.in}).
 *   <li><b>Ending or escaping the simulator</b>: {@code System/Runtime.exit}, {@code halt},
 *       shutdown hooks, {@code System.setOut/setErr/setIn/setProperty/setSecurityManager}.
 *   <li><b>Reflection and dynamic code</b>: {@code java.lang.reflect}, {@code java.lang.invoke}
 *       (bar the bootstrap methods javac emits for lambdas, string concatenation, records and
 *       switches, and the method handles among their arguments, each checked as a call),
 *       {@code Class.forName} and the reflective members of {@code Class}, class loaders,
 *       modules, {@code StackWalker}, {@code ServiceLoader}, deserialisation, scripting and the
 *       compiler, instrumentation and management, {@code java.lang.ref} (cleaners run on JDK
 *       threads), and every use of {@code jdk.*}, {@code sun.*} and {@code com.sun.*}.
 *       {@code ldc} of a method handle, a method type or a dynamic constant is refused.
 *   <li><b>Restricted and native code</b>: {@code MemorySegment.reinterpret},
 *       {@code AddressLayout.withTargetLayout}, the {@code Linker}, {@code SymbolLookup},
 *       {@code System/Runtime.load/loadLibrary}, and native methods the class declares.
 *   <li><b>Ristretto's inside</b>: every use of a {@code ristretto} package other than
 *       {@code ristretto.abi} and {@code ristretto.user} — also the instrumentation's own
 *       classes, which the loader adds only after this check.
 * </ol>
 * A use is every constant-pool reference the code makes (calls, field accesses, {@code new},
 * casts, arrays, class literals, catches, bootstrap arguments) and the class's supertypes;
 * descriptors alone are not uses. A class literal such as {@code Thread.class} is allowed: a
 * name cannot block; only JDK internals and Ristretto's inside may not even be named.
 *
 * <p>Why refuse rather than rewrite: each refused API either has no meaning for an L4 thread
 * ({@code Thread.start}, {@code System.exit}: which threads, which space?) or has an L4 form
 * that needs the caller's UTCB, which only the program's {@code L4} object holds — a rewrite of
 * {@code Thread.sleep} into an IPC timeout, or of {@code ThreadLocal} into a table keyed by the
 * current L4 thread, waits for a way to find the current thread without it. A rewritten monitor
 * would silently lose mutual exclusion between CPUs. So the program is told what to use instead.
 *
 * <p>Limits: a call through a user subtype of a JDK type whose single members are refused
 * ({@code myList.parallelStream()} where {@code MyList extends ArrayList}) is caught in the class
 * itself, not in other classes that call it. Monitors taken inside JDK code ({@code StringBuffer},
 * {@code Collections.synchronizedList}, a {@code ConcurrentHashMap.computeIfAbsent} whose function
 * makes a system call) are the runtime check's to catch. What neither blocks nor escapes is
 * allowed even where it is not deterministic ({@code System.nanoTime}, an unseeded
 * {@code Random}). Hand-written bytecode is matched as javac's is; the JVM's own verifier runs
 * afterwards, when the class is defined.
 */
public final class Verifier {
    private Verifier() {}

    private static final ClassFile CLASS_FILE = ClassFile.of(ClassFile.DebugElementsOption.DROP_DEBUG,
            ClassFile.LineNumbersOption.DROP_LINE_NUMBERS);
    /**
     * The rows that match each JDK or Ristretto type named so far, kept for every class file: there
     * are only so many (a class's own type is matched with its own supertypes, never kept here).
     */
    private static final ConcurrentHashMap<String, List<Rules.Match>> SHARED_ROWS = new ConcurrentHashMap<>();
    /** How deep dynamic constants may nest among bootstrap arguments (javac nests two). */
    private static final int MAX_CONSTANT_DEPTH = 4;

    /**
     * Verification as the loader's step: a class with refusals is refused, with the first one
     * (class, method, instruction, why, and the L4 way instead) and how many more there are.
     */
    public static final ClassTransform TRANSFORM = (className, classFile) -> {
        List<Refusal> refusals = check(classFile);
        if (refusals.isEmpty()) return classFile;
        throw new LoadRefused(refusals.getFirst() + (refusals.size() == 1 ? "" : " (and " + (refusals.size() - 1) + " more)"));
    };

    /** The problems found in one class file; empty if it may be loaded. Never throws on bad input (malformed bytes are one Refusal). */
    public static List<Refusal> check(byte[] classFile) {
        if (classFile == null) return List.of(malformed("?", "no bytes"));
        ClassModel model = null;
        try {
            model = CLASS_FILE.parse(classFile);
            return new Check(model).run();
        } catch (RuntimeException e) {          // the ClassFile API reports bad bytes as IllegalArgumentException and kin
            String name = "?";
            try {
                if (model != null) name = dotted(model.thisClass().asInternalName());
            } catch (RuntimeException again) {
                // the name itself is unreadable
            }
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
            return List.of(malformed(name, detail));
        }
    }

    /**
     * One refused instruction or declaration. toString(): one line naming class, method (name+descriptor), bci and instruction, then the reason and the L4 way instead.
     *
     * @param className   the class, by binary name ({@code demo.Worker$Job})
     * @param method      name and descriptor ({@code run(Lristretto/user/L4;)V}); empty for the class itself
     * @param bci         the instruction's offset in the method's code; -1 for a declaration
     * @param instruction what was refused: an instruction with its operand, or a declaration
     *                    ({@code extends java.lang.Thread}, {@code synchronized method})
     * @param reason      why, and what to use instead
     */
    public record Refusal(String className, String method, int bci, String instruction, String reason) {
        public Refusal {
            Objects.requireNonNull(className);
            Objects.requireNonNull(method);
            Objects.requireNonNull(instruction);
            Objects.requireNonNull(reason);
        }

        @Override public String toString() {
            String where = method.isEmpty() ? className : className + "." + method + (bci < 0 ? "" : " at bci " + bci);
            return where + ": " + instruction + " is refused: " + reason;
        }
    }

    private static Refusal malformed(String className, String detail) {
        return new Refusal(className, "", -1, "class file", "malformed (" + detail + "): it cannot be read, so it cannot be checked");
    }

    /** Binary name from an internal one: java/lang/Thread → java.lang.Thread. */
    static String dotted(String internalName) { return internalName.replace('/', '.'); }

    /** One class file's check: walks declarations and code, collecting refusals. */
    private static final class Check {
        private final ClassModel model;
        private final String className;
        private final List<Refusal> refusals = new ArrayList<>();
        private final List<String> ownSupertypes;
        private final Map<String, List<Rules.Match>> rows = new HashMap<>();   // per type, for this class file
        private String method = "";
        private int bci = -1;

        Check(ClassModel model) {
            this.model = model;
            this.className = dotted(model.thisClass().asInternalName());
            Set<String> own = new LinkedHashSet<>();
            model.superclass().ifPresent(s -> own.add(dotted(s.asInternalName())));
            for (ClassEntry i : model.interfaces()) own.add(dotted(i.asInternalName()));
            for (String s : List.copyOf(own)) own.addAll(Supertypes.of(s));
            own.add(Supertypes.OBJECT);
            ownSupertypes = List.copyOf(own);
        }

        List<Refusal> run() {
            String self = why(className, Rule::coversAnyUse);
            if (self != null) return List.of(new Refusal(className, "", -1, "class " + className, self));
            model.superclass().ifPresent(s -> supertype("extends", s));
            for (ClassEntry i : model.interfaces()) supertype("implements", i);
            for (MethodModel m : model.methods()) checkMethod(m);
            return List.copyOf(refusals);
        }

        private void supertype(String how, ClassEntry type) {
            String name = dotted(type.asInternalName());
            String reason = why(name, Rule::coversEveryMember);
            if (reason != null) refuse(how + " " + name, reason);
        }

        private void checkMethod(MethodModel m) {
            method = m.methodName().stringValue() + m.methodType().stringValue();
            bci = -1;
            if (m.flags().has(AccessFlag.SYNCHRONIZED)) refuse("synchronized method", Rules.MONITOR);
            if (m.flags().has(AccessFlag.NATIVE)) refuse("native method", Rules.NATIVE_METHOD);
            CodeAttribute code = m.findAttribute(Attributes.code()).orElse(null);
            if (code == null) return;
            int next = 0;
            for (CodeElement e : code) {
                if (e instanceof Instruction i) {
                    bci = next;
                    next += i.sizeInBytes();
                    checkInstruction(i);
                } else if (e instanceof ExceptionCatch c && c.catchType().isPresent()) {
                    bci = code.labelToBci(c.handler());
                    named(null, "catch", c.catchType().get());
                }
            }
        }

        private void checkInstruction(Instruction i) {
            switch (i) {
                case MonitorInstruction mi -> refuse(opName(i), Rules.MONITOR);
                case InvokeInstruction ii -> member(i, "", ii.method());
                case FieldInstruction fi -> member(i, "", fi.field());
                case NewObjectInstruction ni -> named(i, "", ni.className());
                case TypeCheckInstruction ti -> named(i, "", ti.type());
                case NewReferenceArrayInstruction ai -> named(i, "", ai.componentType());
                case NewMultiArrayInstruction mi -> named(i, "", mi.arrayType());
                case ConstantInstruction.LoadConstantInstruction li -> loadConstant(li);
                case InvokeDynamicInstruction di -> invokeDynamic(di);
                default -> { }
            }
        }

        /**
         * A call or field access: the owner's rows that cover the member. The refusal names
         * instruction {@code i} (null: none) and {@code site}, what the use is part of.
         */
        private void member(Instruction i, String site, MemberRefEntry ref) {
            String owner = ref.owner().asInternalName();
            if (owner.startsWith("[")) return;                      // an array's clone or length: the element type is not used
            String name = ref.name().stringValue();
            String descriptor = ref.type().stringValue();
            String reason = why(dotted(owner), r -> r.coversMember(name, descriptor));
            if (reason != null) refuse(opName(i) + site + " " + dotted(owner) + "." + name + descriptor, reason);
        }

        /** A use of a type by name only: refused only where the type may not even be named. */
        private void named(Instruction i, String site, ClassEntry type) {
            String name = elementType(type.asInternalName());
            if (name == null) return;                               // an array of primitives
            String reason = why(name, Rule::coversAnyUse);
            if (reason != null) refuse(opName(i) + site + " " + dotted(type.asInternalName()), reason);
        }

        private void loadConstant(ConstantInstruction.LoadConstantInstruction li) {
            String op = opName(li);
            switch (li.constantEntry()) {
                case ClassEntry ce -> named(li, "", ce);
                case MethodHandleEntry mh -> refuse(op + " " + describe(mh), Rules.HANDLE_CONSTANT);
                case MethodTypeEntry mt -> refuse(op + " MethodType " + mt.descriptor().stringValue(), Rules.HANDLE_CONSTANT);
                case ConstantDynamicEntry cd -> refuse(op + " dynamic constant " + bootstrapName(cd.bootstrap().bootstrapMethod()),
                        Rules.DYNAMIC_LINKAGE);
                default -> { }                                      // strings and numbers
            }
        }

        /** javac's bootstraps only, and each argument checked as the use it is. */
        private void invokeDynamic(InvokeDynamicInstruction di) {
            String site = " " + di.name().stringValue() + di.type().stringValue();
            MethodHandleEntry bsm = di.invokedynamic().bootstrap().bootstrapMethod();
            if (!isListed(Rules.INDY_BOOTSTRAPS, bsm)) {
                refuse(opName(di) + site + " with bootstrap " + bootstrapName(bsm), Rules.DYNAMIC_LINKAGE);
                return;
            }
            arguments(di, site, di.invokedynamic().bootstrap().arguments(), 0);
        }

        private void arguments(Instruction i, String site, List<LoadableConstantEntry> args, int depth) {
            for (LoadableConstantEntry a : args) {
                switch (a) {
                    case ClassEntry ce -> named(i, site + " argument", ce);
                    case MethodHandleEntry mh -> member(i, site + " argument " + handleKind(mh), mh.reference());
                    case ConstantDynamicEntry cd -> {
                        MethodHandleEntry bsm = cd.bootstrap().bootstrapMethod();
                        if (depth >= MAX_CONSTANT_DEPTH || !isListed(Rules.CONSTANT_BOOTSTRAPS, bsm))
                            refuse(opName(i) + site + " argument dynamic constant " + bootstrapName(bsm), Rules.DYNAMIC_LINKAGE);
                        else arguments(i, site, cd.bootstrap().arguments(), depth + 1);
                    }
                    default -> { }                                  // method types, strings, numbers
                }
            }
        }

        /** Why {@code type} may not be used as {@code covers} says, or null: the first row that decides. */
        private String why(String type, Predicate<Rule> covers) {
            List<Rules.Match> matches = rows.get(type);
            if (matches == null) {
                boolean own = type.equals(className);
                matches = own ? null : SHARED_ROWS.get(type);
                if (matches == null) {
                    matches = Rules.rowsFor(Rules.TABLE, type, own ? ownSupertypes : Supertypes.of(type));
                    if (!own && (Supertypes.isKnown(type) || type.startsWith("ristretto."))) SHARED_ROWS.putIfAbsent(type, matches);
                }
                rows.put(type, matches);
            }
            for (Rules.Match m : matches) {
                if (!covers.test(m.rule())) continue;
                if (m.rule().coversEveryMember() && type.equals(className) && !m.by().equals(type)) continue;  // refused at the declaration already
                return m.rule().allows() ? null : m.reason();
            }
            return null;
        }

        private void refuse(String instruction, String reason) {
            refusals.add(new Refusal(className, method, bci, instruction, reason));
        }
    }

    /** The instruction's mnemonic as javap prints it; empty for none. */
    private static String opName(Instruction i) {
        return i == null ? "" : i.opcode().name().toLowerCase(Locale.ROOT);
    }

    private static boolean isListed(List<Rule> bootstraps, MethodHandleEntry bsm) {
        MemberRefEntry ref = bsm.reference();
        String owner = dotted(ref.owner().asInternalName());
        for (Rule r : bootstraps)
            if (r.matchOwner(owner, List.of()) != null && r.coversMember(ref.name().stringValue(), ref.type().stringValue())) return true;
        return false;
    }

    /** The class an internal name or array descriptor names, by binary name; null for arrays of primitives. */
    private static String elementType(String internalName) {
        int dims = 0;
        while (dims < internalName.length() && internalName.charAt(dims) == '[') dims++;
        if (dims == 0) return dotted(internalName);
        if (internalName.charAt(dims) != 'L') return null;
        return dotted(internalName.substring(dims + 1, internalName.length() - 1));
    }

    private static String bootstrapName(MethodHandleEntry bsm) {
        MemberRefEntry ref = bsm.reference();
        return dotted(ref.owner().asInternalName()) + "." + ref.name().stringValue();
    }

    private static String describe(MethodHandleEntry mh) {
        MemberRefEntry ref = mh.reference();
        return "MethodHandle " + handleKind(mh) + " " + dotted(ref.owner().asInternalName()) + "." + ref.name().stringValue()
                + ref.type().stringValue();
    }

    /** The JVMS name of a method handle's kind, as javap prints it. */
    private static String handleKind(MethodHandleEntry mh) {
        return switch (mh.kind()) {
            case 1 -> "REF_getField";
            case 2 -> "REF_getStatic";
            case 3 -> "REF_putField";
            case 4 -> "REF_putStatic";
            case 5 -> "REF_invokeVirtual";
            case 6 -> "REF_invokeStatic";
            case 7 -> "REF_invokeSpecial";
            case 8 -> "REF_newInvokeSpecial";
            case 9 -> "REF_invokeInterface";
            default -> "REF_" + mh.kind();
        };
    }
}
