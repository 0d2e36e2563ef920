package attacks;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import ristretto.user.L4;
import ristretto.user.Program;

/**
 * A hostile root task: it tries to reach the kernel by reflection (its trap gate behind the
 * {@link L4} object, kernel classes, their fields and methods) and host memory through a
 * restricted method. Its own space's class loader does not even find kernel classes by name, so
 * it names them through the user library's loader, which is Ristretto's: run outside the module,
 * as {@code ./ristretto run} loads every user program, each of those attempts must be refused by
 * access control. It prints one line per attempt, {@code refused: WHAT (EXCEPTION)} or
 * {@code BROKEN: WHAT}. {@code ModuleBoundaryTest} runs it through the launcher.
 */
public final class ReflectionAttack implements Program {
    @Override public void main(L4 l4) {
        attempt("L4's private trap-gate field", () -> {
            Field f = L4.class.getDeclaredField("cpu");
            f.setAccessible(true);
            return f.get(l4);
        });
        attempt("a kernel class through its own space's loader", () -> Class.forName("ristretto.kernel.Kernel"));
        attempt("a public static field of the kernel (Kernel.KERNEL_ID)", () ->
                kernelClass("ristretto.kernel.Kernel").getField("KERNEL_ID").getLong(null));
        attempt("a TCB's priority field", () -> {
            Field f = kernelClass("ristretto.kernel.thread.Tcb").getDeclaredField("prio");
            f.setAccessible(true);
            return f;
        });
        attempt("a kernel operation (Lifecycle.delete)", () -> {
            Class<?> tcb = kernelClass("ristretto.kernel.thread.Tcb");
            return kernelClass("ristretto.kernel.thread.Lifecycle").getMethod("delete", tcb).invoke(null, (Object) null);
        });
        attempt("all of host memory (MemorySegment.NULL.reinterpret)", () -> MemorySegment.NULL.reinterpret(Long.MAX_VALUE));
        System.out.println("attack done");
    }

    /** A kernel class, found through Ristretto's own loader (the user library's), which does know it. */
    private static Class<?> kernelClass(String name) throws ClassNotFoundException {
        return Class.forName(name, false, L4.class.getClassLoader());
    }

    interface Attempt<T> { T run() throws Throwable; }

    private static <T> void attempt(String what, Attempt<T> a) {
        try {
            System.out.println("BROKEN: " + what + " -> " + a.run());
        } catch (Throwable e) {
            System.out.println("refused: " + what + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
