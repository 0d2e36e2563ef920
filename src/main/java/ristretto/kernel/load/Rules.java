package ristretto.kernel.load;

import java.util.ArrayList;
import java.util.List;

/**
 * What user code may not use, as data: one {@link Rule} per row, (owner, member, reason), read
 * top to bottom; the first row that matches a use decides it, so a row that allows (reason
 * {@code null}) makes an exception to the rows below it. What is not matched is allowed: the JDK
 * in general (collections, streams, strings, math, {@code System.out}) is the program's to use.
 *
 * <p>Three kinds of use are matched against the table ({@link Verifier} finds them):
 * <ul>
 *   <li>a member — a call, a field access, a method handle among javac's bootstrap arguments:
 *       rows whose member column covers it;
 *   <li>a name alone — a class literal, {@code new}, a cast or {@code instanceof}, an array of the
 *       type, a {@code catch}: only {@link #ANY_USE} rows. A name cannot block or reach anything
 *       by itself ({@code Thread.class} is harmless); what matters is the use of members, so only
 *       types that must not even be named — JDK internals and Ristretto's own — are refused here;
 *   <li>a supertype — what the class extends or implements: {@link #ANY_USE} and
 *       {@link #ANY_MEMBER} rows. A call to an inherited member names the subclass as owner, so a
 *       class that extends {@code Thread} or {@code ReentrantLock} would slip past the rows for
 *       its members. Rows on single members (Object's {@code wait}, {@code Future.get},
 *       {@code Collection.parallelStream}) do not refuse a supertype, or every class would be
 *       refused; calls through the class's own type are still matched against its supertypes.
 * </ul>
 *
 * <p>Monitors, native methods and dynamic linkage are instructions and flags, not references:
 * their reasons are the constants below the table.
 */
final class Rules {
    private Rules() {}

    /** The member column of a row that refuses every field, method and constructor of the type. */
    static final String ANY_MEMBER = "*";
    /** The member column of a row that refuses even naming the type: a literal, a cast, a supertype. */
    static final String ANY_USE = "(any use)";

    /** What blocking a carrier means, for reasons that say a call blocks. */
    private static final String WHOLE_CPU = "the CPU's carrier thread, and with it every L4 thread of the CPU";
    private static final String HOST_IO = "blocking host I/O stops " + WHOLE_CPU + ", and reaches outside the simulated "
            + "machine: talk to a device or a server thread by IPC (System.out and System.err may be written)";
    private static final String REFLECTION = "reflection reaches code past the verifier, the kernel's among it";
    private static final String HOST_MEMORY = "a restricted method reaches host memory outside the simulated machine: "
            + "use l4.load and l4.store on memory mapped into the space";
    private static final String NATIVE = "native code runs outside the simulated machine and the kernel's control: "
            + "write it in Java, or put it behind a device";

    private static final String PARALLEL = "parallel streams and sorts run on the JDK's common pool, which the kernel does "
            + "not schedule, and block " + WHOLE_CPU + " until it is done: go sequential, or share the work among L4 threads";

    /** The table. Keep rows that allow directly above the rows they make an exception to. */
    static final List<Rule> TABLE = List.of(
            // --- Blocking the CPU: monitors and threads of the JVM instead of L4's ---
            refuse("java.lang.Object", "wait()V|wait(J)V|wait(JI)V|notify()V|notifyAll()V",
                    "Object.wait and notify need a monitor, which belongs to the CPU's carrier thread, and wait blocks "
                    + WHOLE_CPU + ": wait for a message with IPC (l4.receive, l4.waitAny), wake a thread by sending it one"),
            refuse("java.lang.Thread", "sleep|join|yield|onSpinWait",
                    "Thread.sleep, join and yield block " + WHOLE_CPU + ": sleep with l4.sleep or a receive timeout, "
                    + "wait for another thread with IPC, give the CPU away with l4.yieldCpu"),
            refuse("java.lang.Thread|java.lang.Thread$*|java.lang.ThreadGroup", ANY_MEMBER,
                    "a Java thread is invisible to the kernel, which schedules only L4 threads: start threads with "
                    + "ThreadControl (ristretto.user.Threads)"),
            refuse("java.lang.ThreadLocal|java.lang.ScopedValue|java.lang.ScopedValue$*", ANY_MEMBER,
                    "a ThreadLocal or ScopedValue belongs to the CPU's carrier thread, so every L4 thread of the CPU shares it "
                    + "and a thread that migrates loses it: keep per-thread state in the UTCB (l4.setThreadWord, "
                    + "l4.setUserDefinedHandle) or in the object the thread runs"),
            refuse("java.util.concurrent.locks.*", ANY_MEMBER,
                    "a java.util.concurrent lock belongs to the CPU's carrier thread, not to the L4 thread, so a second L4 "
                    + "thread on the same CPU takes it too, silently, and waiting for it blocks " + WHOLE_CPU
                    + ": use IPC to a server thread for mutual exclusion"),
            refuse("java.util.concurrent.BlockingQueue|java.util.concurrent.BlockingDeque", ANY_MEMBER,
                    "a blocking queue blocks " + WHOLE_CPU + ": pass messages with IPC (l4.call, l4.replyWait)"),
            refuse("java.util.concurrent.Exchanger|java.util.concurrent.CountDownLatch|java.util.concurrent.CyclicBarrier"
                    + "|java.util.concurrent.Semaphore|java.util.concurrent.Phaser", ANY_MEMBER,
                    "a synchronizer blocks " + WHOLE_CPU + ": meet and count with IPC (l4.call, l4.receive)"),
            refuse("java.util.concurrent.Future", "get",
                    "Future.get blocks " + WHOLE_CPU + ": wait for a reply with IPC (l4.call)"),
            refuse("java.util.concurrent.CompletableFuture", ANY_MEMBER,
                    "a CompletableFuture runs its *Async work on JDK threads the kernel does not schedule, and its get and "
                    + "join block " + WHOLE_CPU + ": give the work to an L4 thread and wait for its reply (l4.call)"),
            refuse("java.util.concurrent.Executor|java.util.concurrent.Executors|java.util.concurrent.ForkJoinTask"
                    + "|java.util.concurrent.CompletionService|java.util.Timer", ANY_MEMBER,
                    "an executor or timer runs code on JDK threads the kernel does not schedule: start L4 threads "
                    + "(ristretto.user.Threads) and give them work by IPC, time with receive timeouts"),
            refuse("java.util.concurrent.TimeUnit", "sleep|timedJoin|timedWait",
                    "TimeUnit.sleep blocks " + WHOLE_CPU + ": sleep with l4.sleep or a receive timeout"),
            refuse("java.util.Collection", "parallelStream", PARALLEL),
            refuse("java.util.stream.BaseStream", "parallel", PARALLEL),
            refuse("java.util.Arrays", "parallel*", PARALLEL),
            refuse("java.awt.*|javax.swing.*", ANY_MEMBER,
                    "the host's windowing runs code on its own event thread, which the kernel does not schedule: "
                    + "draw through a device"),

            // --- Blocking host I/O ---
            refuse("java.lang.System", "in|console|inheritedChannel", HOST_IO),
            refuse("java.lang.IO", "readln", HOST_IO),
            refuse("java.io.File|java.io.FileInputStream|java.io.FileOutputStream|java.io.FileReader|java.io.FileWriter"
                    + "|java.io.FileDescriptor|java.io.RandomAccessFile|java.io.Console|java.util.zip.ZipFile", ANY_MEMBER, HOST_IO),
            refuse("java.io.PrintStream|java.io.PrintWriter|java.util.Formatter", "<init>(Ljava/lang/String;*", HOST_IO),
            refuse("java.nio.file.*|java.nio.channels.*", ANY_MEMBER, HOST_IO),
            refuse("java.net.*|javax.net.*|java.rmi.*|javax.naming.*", ANY_MEMBER, HOST_IO),
            refuse("java.lang.Process*", ANY_MEMBER, HOST_IO),
            refuse("java.lang.Runtime", "exec", HOST_IO),

            // --- Ending or escaping the simulator ---
            refuse("java.lang.System|java.lang.Runtime", "exit|halt",
                    "exit ends the whole simulator, every space with it: return from main, or stop the thread "
                    + "(l4.stop(l4.myGlobalId()))"),
            refuse("java.lang.Runtime", "addShutdownHook|removeShutdownHook",
                    "a shutdown hook runs on a JDK thread when the JVM ends, after the machine is gone: "
                    + "clean up before main returns"),
            refuse("java.lang.System", "setIn|setOut|setErr|setProperty|setProperties|clearProperty|setSecurityManager",
                    "this changes the JVM that the kernel and every space share: keep settings in the program"),

            // --- Reflection and dynamic code ---
            allow("java.lang.invoke.SerializedLambda", "get*"),    // javac's $deserializeLambda$ of a serializable lambda
            refuse("java.lang.reflect.*|java.lang.invoke.*", ANY_MEMBER,
                    REFLECTION + ": call the code directly (lambdas and method references are allowed)"),
            refuse("java.lang.Class", "forName|getDeclared*|getMethod*|getField*|getConstructor*|newInstance|getClassLoader"
                    + "|getModule|getProtectionDomain|getResource*|getRecordComponents|getEnclosingMethod|getEnclosingConstructor",
                    REFLECTION + ": name the class in code (new, a call) and let the space's loader check it"),
            refuse("java.lang.ClassLoader|java.lang.Module|java.lang.ModuleLayer|java.lang.ModuleLayer$*|java.lang.module.*",
                    ANY_MEMBER, "defining classes or opening modules reaches code past the verifier: a program's classes "
                    + "come from its space's loader"),
            refuse("java.lang.StackWalker|java.lang.StackWalker$*", ANY_MEMBER,
                    "StackWalker walks the carrier's stack, whose frames below the program are the kernel's: "
                    + "pass what the callee needs as arguments"),
            refuse("java.util.ServiceLoader|java.util.ServiceLoader$*|java.io.ObjectInputStream", ANY_MEMBER,
                    "this creates objects of classes named at run time, past the verifier: create objects with new, "
                    + "pass data between spaces as words by IPC"),
            refuse("java.beans.*|javax.script.*|javax.tools.*", ANY_MEMBER,
                    "this calls or compiles code named at run time, past the verifier: call the code directly"),
            refuse("java.lang.instrument.*|java.lang.management.*|javax.management.*", ANY_MEMBER,
                    "this instruments or manages the host JVM that the kernel runs in: ask the kernel (the KIP, "
                    + "Schedule) or a server thread"),
            refuse("java.lang.ref.*", ANY_MEMBER,
                    "reference processing and cleaners run on JDK threads the kernel does not schedule, at times the "
                    + "program cannot see: release resources explicitly"),
            refuse("jdk.*|sun.*|com.sun.*", ANY_USE,
                    "JDK internals (Unsafe, the continuations the kernel runs threads on) reach host memory and the "
                    + "kernel: use the public JDK and ristretto.user"),

            // --- Restricted methods and native code ---
            refuse("java.lang.foreign.MemorySegment", "reinterpret", HOST_MEMORY),
            refuse("java.lang.foreign.AddressLayout", "withTargetLayout", HOST_MEMORY),
            refuse("java.lang.foreign.Linker|java.lang.foreign.Linker$*|java.lang.foreign.SymbolLookup", ANY_MEMBER, NATIVE),
            refuse("java.lang.System|java.lang.Runtime", "load|loadLibrary", NATIVE),

            // --- Ristretto's inside: only the ABI and the user library are the program's ---
            allow("ristretto.abi.*|ristretto.user.*", ANY_USE),
            refuse("ristretto.*", ANY_USE,
                    "the kernel, the machine and the system are not the program's: reach the kernel by system calls "
                    + "(ristretto.user.L4)"));

    /** The bootstrap methods of {@code invokedynamic} that javac emits, the only ones allowed. */
    static final List<Rule> INDY_BOOTSTRAPS = List.of(
            allow("java.lang.invoke.LambdaMetafactory", "metafactory|altMetafactory"),   // lambdas, method references
            allow("java.lang.invoke.StringConcatFactory", "makeConcat*"),                 // string concatenation
            allow("java.lang.runtime.ObjectMethods", "bootstrap"),                        // a record's toString, equals, hashCode
            allow("java.lang.runtime.SwitchBootstraps", "typeSwitch|enumSwitch"));        // switch on patterns and enums

    /** The bootstrap methods of dynamic constants javac emits as such bootstrap arguments (enum labels of a pattern switch). */
    static final List<Rule> CONSTANT_BOOTSTRAPS = List.of(
            allow("java.lang.invoke.ConstantBootstraps", "invoke"));

    static final String MONITOR = "a Java monitor belongs to the CPU's carrier thread, not to the L4 thread, so held across "
            + "a system call it blocks the CPU, and a thread that stops on a fault holding it deadlocks the machine: "
            + "use IPC to a server thread for mutual exclusion";
    static final String NATIVE_METHOD = NATIVE;
    static final String DYNAMIC_LINKAGE = "this links code at run time, past the verifier: only javac's bootstraps for "
            + "lambdas, string concatenation, records and switches are allowed";
    static final String HANDLE_CONSTANT = "a method handle or method type constant is " + REFLECTION + ": call the code directly";

    /** The rows of {@code table} that match {@code type} (itself, or a supertype that an exact name covers), in order. */
    static List<Match> rowsFor(List<Rule> table, String type, List<String> supertypes) {
        List<Match> out = new ArrayList<>(2);
        for (Rule r : table) {
            String by = r.matchOwner(type, supertypes);
            if (by != null) out.add(new Match(r, type, by));
        }
        return out;
    }

    /** A row that matches a type, and by which name: the type's own or one of its supertypes. */
    record Match(Rule rule, String type, String by) {
        /** Why the use is refused, saying through which supertype if not the type itself. */
        String reason() {
            return by.equals(type) || by.equals(Supertypes.OBJECT) ? rule.reason() : type + " is a " + by + "; " + rule.reason();
        }
    }

    private static Rule refuse(String owner, String member, String reason) { return new Rule(owner, member, reason); }

    private static Rule allow(String owner, String member) { return new Rule(owner, member, null); }

}
