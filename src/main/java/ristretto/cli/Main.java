package ristretto.cli;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ristretto.bench.PingPongCommand;
import ristretto.kernel.Kernel;
import ristretto.machine.Machine;
import ristretto.system.Ristretto;
import ristretto.user.Program;
import ristretto.user.demo.DemoRoot;

/** {@code ristretto}: boot and run Ristretto systems from the command line. */
@Command(name = "ristretto", mixinStandardHelpOptions = true, version = "ristretto 0.1.0",
        description = "An L4 X.2 microkernel on the JVM.",
        subcommands = {Main.Demo.class, Main.Run.class, Main.Bench.class})
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** Machine and kernel options shared by the commands that boot a system. */
    static final class SystemOptions {
        @Option(names = "--memory-mib", description = "physical memory in MiB (default ${DEFAULT-VALUE})")
        long memoryMib = 256;
        @Option(names = "--real-clock", description = "follow host time instead of the deterministic virtual clock")
        boolean realClock;
        @Option(names = "--trace", description = "print the kernel event trace after the run")
        boolean trace;
        @Option(names = "--no-fastpath", description = "IPC through the slow path only")
        boolean noFastPath;
        @Option(names = "--unchecked", description = "skip checked mode (held-monitor detection)")
        boolean unchecked;

        Machine.Config machine() {
            Machine.Config c = Machine.Config.defaults().withMemory(memoryMib << 20);
            return realClock ? c.withRealClock() : c;
        }

        Kernel.Options kernel() {
            return Kernel.Options.defaults().withCheckedMode(!unchecked).withTracing(trace).withFastPath(!noFastPath);
        }

        void report(Ristretto sys, String halt) {
            if (trace) sys.kernel().trace().events().forEach(System.out::println);
            System.out.printf("machine halted at %d µs: %s (%d thread switches)%n",
                    sys.machine().clock().nowMicros(), halt, sys.kernel().switches());
        }
    }

    @Command(name = "demo", description = "Boot the default system and run its checks.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin SystemOptions options = new SystemOptions();

        @Override public Integer call() {
            System.out.println("Ristretto: booting the demo system");
            DemoRoot root = new DemoRoot(System.out::println);
            Ristretto sys = Ristretto.boot(options.machine(), options.kernel(), root);
            List<String> kernelReports = new ArrayList<>();
            sys.kernel().setConsole(line -> { kernelReports.add(line); System.out.println("kernel: " + line); });
            String halt = sys.run();
            options.report(sys, halt);
            boolean ok = root.checks() != null && root.checks().failed() == 0 && kernelReports.isEmpty();
            if (root.checks() == null) System.out.println("demo: 0 passed, 1 failed (the root task did not run)");
            return ok ? 0 : 1;
        }
    }

    @Command(name = "run", description = "Boot a system whose root task is the given Program class.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--root", required = true, description = "class implementing ristretto.user.Program (public no-arg constructor)")
        String rootClass;
        @Option(names = "--classpath", description = "where to find it (path list, like java -cp)")
        String classpath;
        @CommandLine.Mixin SystemOptions options = new SystemOptions();

        @Override public Integer call() throws Exception {
            ClassLoader loader = getClass().getClassLoader();
            if (classpath != null) {
                List<URL> urls = new ArrayList<>();
                for (String p : classpath.split(File.pathSeparator)) urls.add(new File(p).toURI().toURL());
                loader = new URLClassLoader(urls.toArray(URL[]::new), loader);
            }
            Class<?> c = Class.forName(rootClass, true, loader);
            if (!Program.class.isAssignableFrom(c)) {
                System.err.println("ristretto: " + rootClass + " does not implement ristretto.user.Program");
                return 2;
            }
            Program root = (Program) c.getDeclaredConstructor().newInstance();
            Ristretto sys = Ristretto.boot(options.machine(), options.kernel(), root);
            sys.kernel().setConsole(line -> System.out.println("kernel: " + line));
            options.report(sys, sys.run());
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true, description = "Run benchmarks (JMH).",
            subcommands = PingPongCommand.class)
    static final class Bench implements Callable<Integer> {
        @Override public Integer call() {
            new CommandLine(this).usage(System.out);
            return 0;
        }
    }
}
