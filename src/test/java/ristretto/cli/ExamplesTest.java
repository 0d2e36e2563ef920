package ristretto.cli;

import static org.junit.jupiter.api.Assertions.*;
import static ristretto.cli.RunCommandTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import ristretto.cli.RunCommandTest.Result;

/** The programs in {@code examples/} run as {@code ./ristretto run examples/X.java} runs them, and do what they say. */
class ExamplesTest {

    private static Result example(String name, String... args) {
        Path file = Path.of("examples", name + ".java");
        assertTrue(Files.isRegularFile(file), file.toAbsolutePath() + " exists");
        String[] cmd = new String[args.length + 3];
        cmd[0] = "run";
        cmd[1] = "--memory-mib=64";
        cmd[2] = file.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Result r = run(cmd);
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err(), r.toString());
        return r;
    }

    @Test
    void echoServerAnswersEveryClient() {
        assertEquals(List.of("root: started the server and 3 clients",
                "client 1: sent 100, got 100 back",
                "client 2: sent 200, got 200 back",
                "client 3: sent 300, got 300 back"), example("EchoServer").out().lines().toList());
        assertEquals(List.of("root: started the server and 2 clients",
                "client 1: sent 100, got 100 back",
                "client 2: sent 200, got 200 back"), example("EchoServer", "2").out().lines().toList());
    }

    @Test
    void timeoutsSleepTimeOutAndWakeAtATimePoint() {
        List<String> out = example("Timeouts").out().lines().toList();
        assertEquals(4, out.size(), String.join("\n", out));
        long slept = Long.parseLong(out.get(0).replaceAll("slept (\\d+) µs", "$1"));
        assertTrue(slept >= 1000 && slept <= 1001, out.get(0));
        assertEquals("receive from anyone: timed out", out.get(1));
        long woke = Long.parseLong(out.get(2).replaceAll("woke at the time point: (\\d+) µs later", "$1"));
        assertTrue(woke > 4990 && woke <= 5001, out.get(2));
        assertEquals("1000000 µs is not an exact time period (m · 2^e µs, m < 1024): nearest below 999424 µs, above 1000448 µs", out.get(3));
    }

    @Test
    void threadTreeGrowsLeavesInSpacesOfTheirOwn() {
        List<String> out = example("ThreadTree").out().lines().toList();
        assertEquals(List.of("branch 67.1: leaf 77.1 reported", "branch 67.1: leaf 78.1 reported",
                "branch 68.1: leaf 88.1 reported", "branch 68.1: leaf 89.1 reported",
                "root 66.1: the tree has 7 threads"), out);
    }
}
