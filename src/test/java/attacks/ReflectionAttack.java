package attacks;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import ristretto.user.L4;
import ristretto.user.Program;

/**
 * A hostile root task: it tries to reach the kernel by reflection (its trap gate behind the
 * {@link L4} object, kernel classes, their fields and methods) and host memory through a
 * restricted method. {@code ./ristretto run} refuses it at load (the verifier); run as trusted,
 * unverified code outside the {@code ristretto} module, each attempt must still be refused by
 * access control. It prints one line per attempt, {@code refused: WHAT (EXCEPTION)} or
 * {@code BROKEN: WHAT}. {@code ModuleBoundaryTest} runs it through the launcher both ways.
 */
public final class ReflectionAttack implements Program {
    @Override public void main(L4 l4) {
        attempt("L4's private trap-gate field", () -> {
            Field f = L4.class.getDeclaredField("cpu");
            f.setAccessible(true);
            return f.get(l4);
        });
        attempt("a kernel constructor, the class found by name", () -> {
            var c = Class.forName("ristretto.kernel.Kernel").getDeclaredConstructors()[0];
            c.setAccessible(true);
            return c;
        });
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
