package ristretto.kernel.load;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import ristretto.kernel.load.Verifier.Refusal;
import ristretto.user.demo.DemoRoot;

/**
 * The load-time verifier, on user programs compiled here from source as {@code run File.java}
 * compiles them: a clean program passes, each refused category is refused with a message naming
 * class, method and instruction, bad bytes are one refusal, and every program Ristretto ships
 * (examples, the demo, the l4test checklist) passes.
 */
class VerifierTest {

    // --- What passes ---

    @Test
    void aCleanProgramPassesWithNoRefusals() {
        String source = """
                package demo;

                import java.util.*;
                import java.util.function.*;
                import java.util.stream.*;
                import ristretto.abi.ThreadId;
                import ristretto.abi.Timeout;
                import ristretto.user.L4;
                import ristretto.user.Linker;
                import ristretto.user.Program;
                import ristretto.user.Threads;

                public class Clean implements Program {
                    sealed interface Shape permits Circle, Square {}
                    record Circle(double r) implements Shape {}
                    record Square(double side) implements Shape {}
                    enum Colour { RED, GREEN, BLUE }
                    static final Map<String, Integer> COUNTS = new HashMap<>();
                    private long worker;

                    @Override public void link(Linker linker) { worker = linker.entry("worker", this::worker); }

                    @Override public void main(L4 l4) {
                        long[] squares = new long[100];
                        for (int i = 0; i < squares.length; i++) squares[i] = (long) i * i;
                        int[][] grid = new int[4][4];
                        grid[1][2] = 3;
                        long sum = LongStream.of(squares).filter(x -> x % 2 == 0).sum();
                        List<String> words = new ArrayList<>(List.of("b", "a", "c"));
                        Collections.sort(words);
                        words.sort(Comparator.comparing(String::length).thenComparing(Function.identity()));
                        Map<Integer, List<String>> byLength = words.stream().collect(Collectors.groupingBy(String::length));
                        StringBuilder sb = new StringBuilder();
                        for (String w : words) sb.append(w).append(',');
                        Optional<String> first = words.stream().findFirst();
                        assert sum >= 0 : "no overflow";
                        Object o = Thread.class;                        // a class literal alone is allowed
                        int code = switch (words.getFirst()) { case "a" -> 1; case "b" -> 2; default -> 0; };
                        String shape = describe(new Circle(2)) + describe(new Square(3)) + colour(Colour.RED) + kind(Colour.BLUE);
                        COUNTS.merge("runs", 1, Integer::sum);
                        Runnable saved = (Runnable & java.io.Serializable) () -> COUNTS.clear();   // $deserializeLambda$
                        int ordinal = switch (java.time.DayOfWeek.MONDAY) { case MONDAY -> 1; default -> 0; };  // $SwitchMap$
                        try {
                            Integer.parseInt("x");
                        } catch (NumberFormatException e) {
                            sb.append(e.getMessage());
                        }
                        Threads threads = new Threads(l4);
                        long t = threads.inMySpace(worker, 7);
                        long tag = l4.call(t, Timeout.NEVER, Timeout.period(1000));
                        l4.sleep(Timeout.period(100));
                        System.out.println("sum " + sum + " " + byLength + " " + first.orElse("") + " " + code + " " + shape
                                + " " + ThreadId.toString(l4.myGlobalId()) + " " + L4.failed(tag) + " " + o + " " + grid[1][2] + saved + ordinal);
                    }

                    private void worker(L4 l4) {
                        long tag = l4.waitAny();
                        while (!L4.failed(tag)) {
                            l4.loadMsg(0, l4.mr(1) + 1);
                            tag = l4.replyWait(l4.from());
                        }
                    }

                    static String describe(Shape s) {
                        return switch (s) {
                            case Circle c when c.r() > 1 -> "big circle " + c;
                            case Circle c -> "circle " + c.r();
                            case Square(double side) -> "square " + side;
                        };
                    }

                    static String colour(Object o) {
                        return switch (o) {
                            case Colour.RED -> "red";
                            case Colour c -> c.name().toLowerCase();
                            case Integer i when i > 0 -> "positive";
                            default -> "?";
                        };
                    }

                    static int kind(Colour c) {
                        return switch (c) { case RED -> 1; case GREEN -> 2; case BLUE -> 3; };
                    }
                }
                """;
        Map<String, byte[]> classes = compile(source);
        assertTrue(classes.size() >= 5, classes.keySet().toString());
        assertEquals(List.of(), refusals(classes));
    }

    @Test
    void everyProgramRistrettoShipsPasses() throws Exception {
        Map<String, byte[]> classes = new TreeMap<>();
        try (Stream<Path> examples = Files.list(Path.of("examples"))) {
            for (Path f : examples.filter(p -> p.toString().endsWith(".java")).sorted().toList())
                classes.putAll(compile(Files.readString(f)));
        }
        Path root = Path.of(DemoRoot.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (String pkg : List.of("ristretto/user/demo", "ristretto/user/l4test"))
            try (Stream<Path> files = Files.walk(root.resolve(pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList())
                    classes.put(root.relativize(f).toString(), Files.readAllBytes(f));
            }
        assertTrue(classes.size() >= 10, classes.keySet().toString());
        long coldStart = System.nanoTime();
        for (var e : classes.entrySet()) assertEquals(List.of(), Verifier.check(e.getValue()), e.getKey());
        long coldNs = System.nanoTime() - coldStart;

        // Cost: rough figures per class, the first check above (cold) and warm (no assertion: the machine is shared).
        long bytes = classes.values().stream().mapToLong(b -> b.length).sum();
        double warm = Double.MAX_VALUE;
        for (int round = 0; round < 10; round++) {
            long start = System.nanoTime();
            for (int r = 0; r < 100; r++) for (byte[] b : classes.values()) Verifier.check(b);
            warm = Math.min(warm, (System.nanoTime() - start) / 1e3 / 100 / classes.size());
        }
        System.out.printf(Locale.ROOT, "VerifierTest: %d classes (%d bytes on average): %.0f µs per class cold, %.1f µs warm%n",
                classes.size(), bytes / classes.size(), coldNs / 1e3 / classes.size(), warm);
    }

    // --- Monitors ---

    @Test
    void aSynchronizedMethodIsRefused() {
        List<Refusal> r = refusalsOf("""
                public class Counter {
                    private int n;
                    public synchronized void inc() { n++; }
                }
                """);
        Refusal only = single(r);
        assertEquals("Counter", only.className());
        assertEquals("inc()V", only.method());
        assertEquals("synchronized method", only.instruction());
        assertTrue(only.reason().contains("use IPC to a server thread for mutual exclusion"), only.reason());
        assertEquals("Counter.inc()V: synchronized method is refused: " + only.reason(), only.toString());
    }

    @Test
    void aSynchronizedBlockIsRefusedAtItsMonitorInstructions() {
        List<Refusal> r = refusalsOf("""
                public class Guarded {
                    private final Object lock = new Object();
                    private int n;
                    void inc() { synchronized (lock) { n++; } }
                }
                """);
        assertFalse(r.isEmpty());
        Refusal enter = r.getFirst();
        assertEquals("monitorenter", enter.instruction());
        assertEquals("inc()V", enter.method());
        assertTrue(enter.bci() > 0, enter.toString());
        assertTrue(enter.toString().startsWith("Guarded.inc()V at bci " + enter.bci() + ": monitorenter is refused: "), enter.toString());
        assertTrue(r.stream().allMatch(x -> x.instruction().startsWith("monitor")), r.toString());
        assertTrue(r.stream().anyMatch(x -> x.instruction().equals("monitorexit")), r.toString());
    }

    // --- Blocking the CPU ---

    @Test
    void threadSleepIsRefusedWithTheL4WayInstead() {
        Refusal r = single(refusalsOf("""
                public class Sleeper {
                    void nap() throws InterruptedException { Thread.sleep(10); }
                }
                """));
        assertEquals("nap()V", r.method());
        assertEquals("invokestatic java.lang.Thread.sleep(J)V", r.instruction());
        assertTrue(r.reason().contains("sleep with l4.sleep or a receive timeout"), r.reason());
        assertTrue(r.toString().matches("Sleeper\\.nap\\(\\)V at bci \\d+: invokestatic java\\.lang\\.Thread\\.sleep\\(J\\)V is refused: .*l4\\.sleep.*"),
                r.toString());
    }

    @Test
    void objectWaitAndNotifyAreRefusedButAUsersOwnNotifyIsNot() {
        List<Refusal> r = refusalsOf("""
                public class Waiter {
                    void await(Object o) throws InterruptedException { o.wait(); o.wait(5); o.notify(); o.notifyAll(); }
                    void notify(String event) {}
                    void tell() { notify("ready"); }
                }
                """);
        assertEquals(List.of("invokevirtual java.lang.Object.wait()V", "invokevirtual java.lang.Object.wait(J)V",
                "invokevirtual java.lang.Object.notify()V", "invokevirtual java.lang.Object.notifyAll()V"), instructions(r));
    }

    @Test
    void blockingQueueTakeAndPutAreRefusedThroughTheConcreteClassAndTheInterface() {
        List<Refusal> r = refusalsOf("""
                import java.util.concurrent.*;
                public class Queues {
                    void concrete() throws InterruptedException {
                        ArrayBlockingQueue<Long> q = new ArrayBlockingQueue<>(1);
                        q.put(1L);
                        q.take();
                    }
                    void typed(BlockingQueue<Long> q) throws InterruptedException { q.put(2L); q.take(); }
                }
                """);
        assertEquals(List.of(
                "invokespecial java.util.concurrent.ArrayBlockingQueue.<init>(I)V",
                "invokevirtual java.util.concurrent.ArrayBlockingQueue.put(Ljava/lang/Object;)V",
                "invokevirtual java.util.concurrent.ArrayBlockingQueue.take()Ljava/lang/Object;",
                "invokeinterface java.util.concurrent.BlockingQueue.put(Ljava/lang/Object;)V",
                "invokeinterface java.util.concurrent.BlockingQueue.take()Ljava/lang/Object;"), instructions(r));
        assertTrue(r.get(2).reason().startsWith("java.util.concurrent.ArrayBlockingQueue is a java.util.concurrent.BlockingQueue; "
                + "a blocking queue blocks the CPU's carrier thread"), r.get(2).reason());
        assertEquals("concrete()V", r.get(2).method());
    }

    @Test
    void reentrantLockIsRefused() {
        List<Refusal> r = refusalsOf("""
                import java.util.concurrent.locks.ReentrantLock;
                public class Locker {
                    final ReentrantLock lock = new ReentrantLock();
                    void critical() { lock.lock(); try { } finally { lock.unlock(); } }
                }
                """);
        assertTrue(instructions(r).containsAll(List.of("invokespecial java.util.concurrent.locks.ReentrantLock.<init>()V",
                "invokevirtual java.util.concurrent.locks.ReentrantLock.lock()V",
                "invokevirtual java.util.concurrent.locks.ReentrantLock.unlock()V")), r.toString());
        assertTrue(r.stream().allMatch(x -> x.reason().contains("use IPC to a server thread for mutual exclusion")), r.toString());
    }

    @Test
    void threadsExecutorsFuturesAndParallelStreamsAreRefused() {
        List<Refusal> r = refusalsOf("""
                import java.util.*;
                import java.util.concurrent.*;
                public class Spawner {
                    void spawn() throws Exception {
                        new Thread(() -> {}).start();
                        Thread.ofVirtual().start(() -> {});
                        ExecutorService pool = Executors.newFixedThreadPool(2);
                        Future<Integer> f = pool.submit(() -> 1);
                        f.get();
                        CompletableFuture.supplyAsync(() -> 2).join();
                        new ArrayList<>(List.of(1, 2)).parallelStream().count();
                        Arrays.parallelSort(new int[3]);
                        new CountDownLatch(1).await();
                        TimeUnit.SECONDS.sleep(1);
                        ThreadLocal<String> perCarrier = new ThreadLocal<>();
                    }
                }
                """);
        List<String> got = instructions(r);
        for (String expected : List.of("invokevirtual java.lang.Thread.start()V",
                "invokestatic java.lang.Thread.ofVirtual()Ljava/lang/Thread$Builder$OfVirtual;",
                "invokestatic java.util.concurrent.Executors.newFixedThreadPool(I)Ljava/util/concurrent/ExecutorService;",
                "invokeinterface java.util.concurrent.Future.get()Ljava/lang/Object;",
                "invokevirtual java.util.concurrent.CompletableFuture.join()Ljava/lang/Object;",
                "invokevirtual java.util.ArrayList.parallelStream()Ljava/util/stream/Stream;",
                "invokestatic java.util.Arrays.parallelSort([I)V",
                "invokevirtual java.util.concurrent.CountDownLatch.await()V",
                "invokevirtual java.util.concurrent.TimeUnit.sleep(J)V",
                "invokespecial java.lang.ThreadLocal.<init>()V"))
            assertTrue(got.contains(expected), expected + " in " + String.join("\n", got));
        Refusal threadLocal = r.stream().filter(x -> x.instruction().contains("ThreadLocal")).findFirst().orElseThrow();
        assertTrue(threadLocal.reason().contains("UTCB"), threadLocal.reason());
    }

    @Test
    void extendingThreadOrALockIsRefusedAtTheDeclaration() {
        List<Refusal> r = refusalsOf("""
                public class Worker extends Thread {
                    @Override public void run() {}
                }
                """);
        assertEquals("extends java.lang.Thread", r.getFirst().instruction());
        assertEquals("", r.getFirst().method());
        assertEquals(-1, r.getFirst().bci());
        assertTrue(r.getFirst().toString().startsWith("Worker: extends java.lang.Thread is refused: "), r.getFirst().toString());
        Refusal lock = refusalsOf("public class MyLock extends java.util.concurrent.locks.ReentrantLock {}").getFirst();
        assertEquals("extends java.util.concurrent.locks.ReentrantLock", lock.instruction());
    }

    @Test
    void aCallThroughTheClassOwnTypeIsMatchedAgainstItsSupertypes() {
        Refusal r = single(refusalsOf("""
                public class Numbers extends java.util.ArrayList<Integer> {
                    private int calls;
                    long count() { calls++; return parallelStream().count(); }
                }
                """));
        assertEquals("invokevirtual Numbers.parallelStream()Ljava/util/stream/Stream;", r.instruction());
        assertTrue(r.reason().startsWith("Numbers is a java.util.Collection; parallel streams"), r.reason());
    }

    @Test
    void aMethodReferenceIsCheckedAsTheCallItMakes() {
        Refusal r = single(refusalsOf("""
                public class Spinner {
                    Runnable spin() { return Thread::onSpinWait; }
                }
                """));
        assertTrue(r.instruction().matches("invokedynamic run\\(\\)Ljava/lang/Runnable; argument REF_invokeStatic "
                + "java\\.lang\\.Thread\\.onSpinWait\\(\\)V"), r.instruction());
    }

    @Test
    void blockingHostIoIsRefused() {
        List<Refusal> r = refusalsOf("""
                import java.io.*;
                import java.nio.file.*;
                public class Io {
                    void io() throws Exception {
                        new FileInputStream("x").read();
                        Files.readString(Path.of("x"));
                        System.in.read();
                        new java.net.Socket("localhost", 80);
                        new ProcessBuilder("ls").start();
                        new PrintWriter("out.txt");
                    }
                }
                """);
        List<String> got = instructions(r);
        for (String expected : List.of("invokespecial java.io.FileInputStream.<init>(Ljava/lang/String;)V",
                "invokestatic java.nio.file.Files.readString(Ljava/nio/file/Path;)Ljava/lang/String;",
                "getstatic java.lang.System.in", "invokespecial java.net.Socket.<init>(Ljava/lang/String;I)V",
                "invokevirtual java.lang.ProcessBuilder.start()Ljava/lang/Process;",
                "invokespecial java.io.PrintWriter.<init>(Ljava/lang/String;)V"))
            assertTrue(got.stream().anyMatch(g -> g.startsWith(expected)), expected + " in " + String.join("\n", got));
        assertTrue(r.stream().allMatch(x -> x.reason().contains("host I/O")), r.toString());
    }

    // --- Ending or escaping the simulator ---

    @Test
    void systemExitIsRefused() {
        Refusal r = single(refusalsOf("""
                public class Quitter {
                    void quit() { System.exit(0); }
                }
                """));
        assertEquals("invokestatic java.lang.System.exit(I)V", r.instruction());
        assertTrue(r.reason().startsWith("exit ends the whole simulator"), r.reason());
        List<Refusal> more = refusalsOf("""
                public class Escaper {
                    void escape() {
                        Runtime.getRuntime().halt(1);
                        Runtime.getRuntime().addShutdownHook(null);
                        System.setOut(null);
                        System.setProperty("a", "b");
                        System.out.println(Runtime.getRuntime().availableProcessors());
                    }
                }
                """);
        assertEquals(List.of("invokevirtual java.lang.Runtime.halt(I)V",
                "invokevirtual java.lang.Runtime.addShutdownHook(Ljava/lang/Thread;)V",
                "invokestatic java.lang.System.setOut(Ljava/io/PrintStream;)V",
                "invokestatic java.lang.System.setProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;"),
                instructions(more));
    }

    // --- Reflection, dynamic code, Ristretto's inside ---

    @Test
    void reflectionIntoTheKernelIsRefused() {
        Refusal r = single(refusalsOf("""
                public class Prober {
                    Object probe() throws Exception { return Class.forName("ristretto.kernel.Kernel"); }
                }
                """));
        assertEquals("probe()Ljava/lang/Object;", r.method());
        assertEquals("invokestatic java.lang.Class.forName(Ljava/lang/String;)Ljava/lang/Class;", r.instruction());
        assertTrue(r.reason().startsWith("reflection reaches code past the verifier"), r.reason());
        List<Refusal> more = refusalsOf("""
                import java.lang.invoke.*;
                public class Reflector {
                    Object reflect(Object o) throws Throwable {
                        o.getClass().getDeclaredMethod("x").invoke(o);
                        MethodHandles.lookup();
                        return o.getClass().getSimpleName();
                    }
                }
                """);
        assertEquals(List.of("invokevirtual java.lang.Class.getDeclaredMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;",
                "invokevirtual java.lang.reflect.Method.invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;",
                "invokestatic java.lang.invoke.MethodHandles.lookup()Ljava/lang/invoke/MethodHandles$Lookup;"), instructions(more));
    }

    @Test
    void aDirectReferenceToAKernelClassIsRefused() {
        List<Refusal> r = refusalsOf("""
                public class Intruder {
                    Object intrude(Object o) {
                        Object k = ristretto.kernel.Kernel.class;
                        ristretto.kernel.Kernel cast = (ristretto.kernel.Kernel) o;
                        return ristretto.kernel.Kernel.Options.defaults();
                    }
                    long id() { return ristretto.kernel.Kernel.KERNEL_ID; }    // a constant, inlined: no reference
                }
                """);
        assertEquals(List.of("ldc ristretto.kernel.Kernel", "checkcast ristretto.kernel.Kernel",
                "invokestatic ristretto.kernel.Kernel$Options.defaults()Lristretto/kernel/Kernel$Options;"), instructions(r));
        assertTrue(r.getFirst().reason().contains("reach the kernel by system calls"), r.getFirst().reason());
        Refusal self = single(refusalsOf("package ristretto.kernel.sched; public class Meter { void m() { m(); } }"));
        assertEquals("class ristretto.kernel.sched.Meter", self.instruction());
    }

    @Test
    void jdkInternalsMayNotEvenBeNamed() {
        List<Refusal> r = refusalsOf("""
                public class Internal {
                    Object unsafe() { return sun.misc.Unsafe.class; }
                }
                """);
        assertEquals(List.of("ldc sun.misc.Unsafe"), instructions(r));
    }

    // --- Restricted and native ---

    @Test
    void memorySegmentReinterpretAndNativeMethodsAreRefused() {
        List<Refusal> r = refusalsOf("""
                import java.lang.foreign.*;
                public class Peeker {
                    long peek(long address) { return MemorySegment.ofAddress(address).reinterpret(8).get(ValueLayout.JAVA_LONG, 0); }
                    native void poke(long address);
                }
                """);
        assertEquals(List.of("invokeinterface java.lang.foreign.MemorySegment.reinterpret(J)Ljava/lang/foreign/MemorySegment;",
                "native method"), instructions(r));
        assertTrue(r.getFirst().reason().contains("use l4.load and l4.store"), r.getFirst().reason());
        assertEquals("poke(J)V", r.get(1).method());
    }

    // --- Dynamic linkage javac does not emit (built with the ClassFile API) ---

    @Test
    void constantsAndBootstrapsJavacDoesNotEmitAreRefused() {
        ClassDesc me = ClassDesc.of("Handcrafted");
        DirectMethodHandleDesc exit = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, ClassDesc.of("java.lang.System"),
                "exit", MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_int));
        DirectMethodHandleDesc myBootstrap = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, me, "bsm",
                MethodTypeDesc.of(ConstantDescs.CD_CallSite, ConstantDescs.CD_MethodHandles_Lookup, ConstantDescs.CD_String,
                        ConstantDescs.CD_MethodType));
        byte[] bytes = ClassFile.of().build(me, cb -> cb.withMethodBody("m", MethodTypeDesc.of(ConstantDescs.CD_void),
                ClassFile.ACC_STATIC, code -> code
                        .ldc(exit).pop()
                        .ldc(MethodTypeDesc.of(ConstantDescs.CD_void)).pop()
                        .ldc(DynamicConstantDesc.of(ConstantDescs.BSM_NULL_CONSTANT)).pop()
                        .invokedynamic(DynamicCallSiteDesc.of(myBootstrap, "go", MethodTypeDesc.of(ConstantDescs.CD_void)))
                        .return_()));
        List<Refusal> r = Verifier.check(bytes);
        assertEquals(List.of("ldc MethodHandle REF_invokeStatic java.lang.System.exit(I)V", "ldc MethodType ()V",
                "ldc dynamic constant java.lang.invoke.ConstantBootstraps.nullConstant",
                "invokedynamic go()V with bootstrap Handcrafted.bsm"), instructions(r));
        assertEquals(List.of(0, 3, 6, 9), r.stream().map(Refusal::bci).toList());
        assertTrue(r.get(3).reason().contains("only javac's bootstraps"), r.get(3).reason());
    }

    // --- Bad input ---

    @Test
    void malformedBytesAreOneRefusalNotAnException() {
        byte[] real = compile("public class Whole { int f() { return 1; } }").get("Whole");
        for (byte[] bad : List.of(new byte[0], new byte[] {1, 2, 3}, Arrays.copyOf(real, real.length / 2),
                Arrays.copyOf(real, 12), corrupt(real))) {
            List<Refusal> r = assertDoesNotThrow(() -> Verifier.check(bad));
            assertEquals(1, r.size(), r.toString());
            assertEquals("class file", r.getFirst().instruction());
            assertTrue(r.getFirst().reason().startsWith("malformed"), r.getFirst().reason());
        }
        assertEquals(1, Verifier.check(null).size());
    }

    // --- The table itself ---

    @Test
    void everyExactOwnerAndMemberInTheTableIsARealJdkOne() throws Exception {
        for (Rule rule : Rules.TABLE) {
            List<String> members = new ArrayList<>();
            for (String owner : rule.exactOwners()) {
                if (owner.startsWith("ristretto.")) continue;
                Class<?> c = Class.forName(owner, false, ClassLoader.getPlatformClassLoader());
                members.addAll(publicMembers(c));
            }
            if (rule.coversEveryMember()) continue;
            for (String m : rule.member().split("\\|")) {        // each member, on one of the row's owners at least
                Pattern p = Pattern.compile(Pattern.quote(m).replace("*", "\\E.*\\Q"));
                assertTrue(members.stream().anyMatch(x -> p.matcher(x).matches()
                        || !m.contains("(") && p.matcher(x.substring(0, x.indexOf('('))).matches()),
                        rule + ": no owner has a member " + m);
            }
        }
    }

    /** Names with descriptors ({@code wait(J)V}, {@code <init>(I)V}) of a class's public methods, constructors and fields. */
    private static List<String> publicMembers(Class<?> c) {
        List<String> out = new ArrayList<>();
        for (var m : c.getMethods()) out.add(m.getName() + java.lang.invoke.MethodType.methodType(m.getReturnType(), m.getParameterTypes()).descriptorString());
        for (var k : c.getConstructors()) out.add("<init>" + java.lang.invoke.MethodType.methodType(void.class, k.getParameterTypes()).descriptorString());
        for (Member f : c.getFields()) if (Modifier.isPublic(f.getModifiers())) out.add(f.getName() + "()");
        return out;
    }

    // --- Helpers: javac in memory, as run File.java compiles user programs ---

    private static Refusal single(List<Refusal> r) {
        assertEquals(1, r.size(), r.toString());
        return r.getFirst();
    }

    private static List<String> instructions(List<Refusal> r) { return r.stream().map(Refusal::instruction).toList(); }

    private static List<Refusal> refusalsOf(String source) { return refusals(compile(source)); }

    private static List<Refusal> refusals(Map<String, byte[]> classes) {
        List<Refusal> out = new ArrayList<>();
        for (byte[] b : classes.values()) out.addAll(Verifier.check(b));
        return out;
    }

    private static byte[] corrupt(byte[] real) {
        byte[] b = real.clone();
        for (int i = 10; i < b.length; i += 7) b[i] = (byte) 0xff;       // constant-pool tags and indexes out of range
        return b;
    }

    private static final Pattern TYPE_NAME = Pattern.compile("(?:class|interface|record|enum)\\s+(\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    /** The classes one source file compiles to, by binary name, in the order javac wrote them. */
    static Map<String, byte[]> compile(String source) {
        Matcher t = TYPE_NAME.matcher(source);
        assertTrue(t.find(), "a type in " + source);
        Matcher p = PACKAGE.matcher(source);
        String name = (p.find() ? p.group(1) + "." : "") + t.group(1);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, byte[]> out = new TreeMap<>();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return source; }
        };
        try (StandardJavaFileManager std = javac.getStandardFileManager(diagnostics, Locale.ROOT, null);
             var mem = new ForwardingJavaFileManager<>(std) {
                 @Override public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                     return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                         @Override public OutputStream openOutputStream() {
                             return new ByteArrayOutputStream() {
                                 @Override public void close() { out.put(className, toByteArray()); }
                             };
                         }
                     };
                 }
             }) {
            List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-proc:none", "-Xlint:none", "-nowarn");
            boolean ok = javac.getTask(null, mem, diagnostics, options, null, List.of(file)).call();
            assertTrue(ok, diagnostics.getDiagnostics().toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
