package attacks;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import ristretto.user.L4;
import ristretto.user.Program;

/**
 * A hostile root task: it tries to reach the kernel by reflection (its trap gate behind the
 * {@link L4} object, kernel classes, their fields and methods) and host memory through a
 * restricted method. Run outside the module, as {@code ./ristretto run} loads every user program,
 * each attempt must be refused by access control; it prints one line per attempt,
 * {@code refused: WHAT (EXCEPTION)} or {@code BROKEN: WHAT}. {@code ModuleBoundaryTest} runs it
 * through the launcher.
 */
public final class ReflectionAttack implements Program {
    @Override public void main(L4 l4) {
        attempt("L4's private trap-gate field", () -> {
            Field f = L4.class.getDeclaredField("cpu");
            f.setAccessible(true);
            return f.get(l4);
        });
        attempt("a public static field of the kernel (Kernel.KERNEL_ID)", () ->
                Class.forName("ristretto.kernel.Kernel").getField("KERNEL_ID").getLong(null));
        attempt("a TCB's priority field", () -> {
            Field f = Class.forName("ristretto.kernel.thread.Tcb").getDeclaredField("prio");
            f.setAccessible(true);
            return f;
        });
        attempt("a kernel operation (Lifecycle.delete)", () -> {
            Class<?> tcb = Class.forName("ristretto.kernel.thread.Tcb");
            return Class.forName("ristretto.kernel.thread.Lifecycle").getMethod("delete", tcb).invoke(null, (Object) null);
        });
        attempt("all of host memory (MemorySegment.NULL.reinterpret)", () -> MemorySegment.NULL.reinterpret(Long.MAX_VALUE));
        System.out.println("attack done");
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
