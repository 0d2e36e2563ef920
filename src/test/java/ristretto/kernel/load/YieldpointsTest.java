package ristretto.kernel.load;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.LongStream;
import compute.Kernels;
import org.junit.jupiter.api.Test;
import ristretto.kernel.meter.MeterGate;

/**
 * Yieldpoints change what code costs, never what it computes: the same kernels, loaded with and
 * without instrumentation, give the same results; the yieldpoints sit at method entries and loop
 * back-edges with deterministic costs; and a method that instrumentation would push past the
 * JVM's 64 KiB is refused with a message naming it.
 */
class YieldpointsTest {

    private static Object call(ClassLoader loader, String method, Object arg) throws Exception {
        Class<?> k = loader.loadClass(Kernels.class.getName());
        for (Method m : k.getMethods())
            if (m.getName().equals(method)) return m.invoke(null, arg);
        throw new AssertionError("no kernel " + method);
    }

    @Test
    void instrumentedCodeComputesWhatPlainCodeComputes() throws Exception {
        InstrumentingLoader metered = InstrumentingLoader.instrumented(Kernels.class), plain = InstrumentingLoader.plain(Kernels.class);
        long[] data = LongStream.range(0, 10_000).map(i -> i * 7919 % 1013).toArray();
        Object[][] cases = {
                {"tightLoop", 100_000}, {"arraySum", data}, {"fib", 22}, {"nestedLoops", 300}, {"whileLoops", 1001},
                {"tryCatchInLoop", 5000}, {"switchLoop", 10_000}, {"earlyConstructor", 777}, {"lambdaLoop", 4321}};
        for (Object[] c : cases) {
            String name = (String) c[0];
            int budget = MeterGate.budget;
            Object expected = call(plain, name, c[1]);
            assertEquals(budget, MeterGate.budget, name + ": plain code leaves the meter alone");
            assertEquals(expected, call(metered, name, c[1]), name);
        }
        assertEquals(call(plain, "fib", 22), 17711);
        assertTrue(metered.defined >= 2, "the kernels and their nested class were instrumented");
    }

    @Test
    void aClassInitialiserIsCountedWhileItRunsAndUncountedHoweverItEnds() throws Exception {
        InstrumentingLoader metered = InstrumentingLoader.instrumented(Kernels.class);
        assertEquals(0, MeterGate.initialising);
        call(metered, "tightLoop", 1);                           // Kernels.<clinit> ran and returned
        assertEquals(0, MeterGate.initialising);
        var e = assertThrows(java.lang.reflect.InvocationTargetException.class, () -> call(metered, "failingInit", 1));
        assertInstanceOf(ExceptionInInitializerError.class, e.getCause());
        assertEquals(0, MeterGate.initialising, "the handler counted the initialiser out when it threw");
    }

    @Test
    void aLoopChargesItsRegionOncePerIterationAndTheSameEveryTime() throws Exception {
        InstrumentingLoader metered = InstrumentingLoader.instrumented(Kernels.class);
        call(metered, "tightLoop", 1);                           // initialised: the static initialiser ran
        long[] used = new long[3];
        int[] n = {1000, 2000, 1000};
        for (int r = 0; r < n.length; r++) {
            MeterGate.budget = 1 << 30;                              // no CPU attached: nothing but the countdown
            call(metered, "tightLoop", n[r]);
            used[r] = (1 << 30) - MeterGate.budget;
        }
        assertEquals(used[0], used[2], "deterministic");
        long perIteration = (used[1] - used[0]) / 1000;
        assertEquals(used[1] - used[0], perIteration * 1000, "a fixed cost per iteration");
        assertTrue(perIteration >= 5 && perIteration <= 20, "a loop of x = x * 31 + 7 costs " + perIteration + " bytecodes");
    }

    @Test
    void everyMethodEntryAndBackEdgeHasAYieldpoint() throws Exception {
        byte[] original = InstrumentingLoader.classFile(getClass().getClassLoader(), Kernels.class.getName());
        ClassModel out = ClassFile.of().parse(Yieldpoints.instrument(original));
        for (MethodModel m : out.methods()) {
            int checks = checks(m.code().orElseThrow());
            String name = m.methodName().stringValue();
            int expected = switch (name) {
                case "fib", "<init>", "earlyConstructor" -> 1;    // no loop
                case "nestedLoops" -> 3;                          // two loops
                case "whileLoops" -> 4;                           // two loops, and a continue jumps back too
                case "call", "lambdaLoop", "failingInit" -> 1;
                default -> name.startsWith("lambda$") ? 2 : 2;    // one loop (the initialiser's too)
            };
            assertEquals(expected, checks, name);
        }
    }

    private static int checks(CodeModel code) {
        int n = 0;
        for (var e : code)
            if (e instanceof InvokeInstruction i && i.name().equalsString("check")
                    && i.owner().asInternalName().equals(MeterGate.class.getName().replace('.', '/'))) n++;
        return n;
    }

    /** A loop closed by a tableswitch whose default jumps back (javac never emits one, other compilers may). */
    @Test
    void aSwitchThatJumpsBackIsABackEdge() throws Exception {
        ClassDesc self = ClassDesc.of("ristretto.kernel.load.SwitchLoop");
        byte[] bytes = ClassFile.of().build(self, cb -> cb.withMethodBody("run", MethodTypeDesc.of(ConstantDescs.CD_int, ConstantDescs.CD_int),
                ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, c -> {
                    Label top = c.newLabel(), end = c.newLabel();
                    c.labelBinding(top).iinc(0, -1).iload(0)
                            .tableswitch(0, 0, top, List.of(java.lang.classfile.instruction.SwitchCase.of(0, end)))
                            .labelBinding(end).iload(0).ireturn();
                }));
        byte[] instrumented = Yieldpoints.instrument(bytes);
        assertEquals(2, checks(ClassFile.of().parse(instrumented).methods().getFirst().code().orElseThrow()));
        Class<?> c = MethodHandles.lookup().defineHiddenClass(instrumented, true).lookupClass();
        MeterGate.budget = 1 << 30;
        assertEquals(0, c.getMethod("run", int.class).invoke(null, 1000));
        assertTrue((1 << 30) - MeterGate.budget >= 1000 * 3, "each round of the switch loop (3 instructions) was charged");
    }

    @Test
    void aMethodThatInstrumentationWouldPushPastSixtyFourKibibytesIsRefusedByName() {
        // 5000 loops of 11 bytes: 55 KB of bytecode, valid as it is; 5000 yieldpoints more are not.
        ClassDesc self = ClassDesc.of("ristretto.kernel.load.Huge");
        byte[] bytes = ClassFile.of().build(self, cb -> cb.withMethodBody("manyLoops", MethodTypeDesc.of(ConstantDescs.CD_void),
                ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, c -> {
                    for (int i = 0; i < 5000; i++) {
                        Label top = c.newLabel();
                        c.iconst_0().istore(0).labelBinding(top).iinc(0, 1).iload(0).bipush(100).if_icmplt(top);
                    }
                    c.return_();
                }));
        assertTrue(bytes.length < 65_536 + 1000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Yieldpoints.instrument(bytes));
        assertTrue(e.getMessage().contains("ristretto.kernel.load.Huge.manyLoops()V"), e.getMessage());
        assertTrue(e.getMessage().contains("65535"), e.getMessage());
    }

    @Test
    void aMethodJustUnderTheLimitIsInstrumentedAndRuns() throws Exception {
        // 65,387 bytes with one loop (its back-edge a wide jump): its yieldpoints and budget moves still fit.
        ClassDesc self = ClassDesc.of("ristretto.kernel.load.Long");
        byte[] bytes = ClassFile.of().build(self, cb -> cb.withMethodBody("longLoop", MethodTypeDesc.of(ConstantDescs.CD_int),
                ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, c -> {
                    Label top = c.newLabel();
                    c.iconst_0().istore(0).labelBinding(top);
                    for (int i = 0; i < 21_790; i++) c.iinc(0, 0);      // 3 bytes each
                    c.iinc(0, 1).iload(0).bipush(2).if_icmplt(top).iload(0).ireturn();
                }));
        byte[] instrumented = Yieldpoints.instrument(bytes);
        int length = ((java.lang.classfile.attribute.CodeAttribute) ClassFile.of().parse(instrumented).methods().getFirst().code().orElseThrow()).codeLength();
        assertTrue(length > 65_400 && length <= Yieldpoints.MAX_CODE_BYTES, length + " bytes");
        Class<?> c = MethodHandles.lookup().defineHiddenClass(instrumented, true).lookupClass();
        assertEquals(2, c.getMethod("longLoop").invoke(null));
    }
}
