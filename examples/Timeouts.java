import ristretto.abi.IpcError;
import ristretto.abi.Timeout;
import ristretto.user.L4;
import ristretto.user.Program;

/**
 * Timeouts: a sleep, a receive that nobody answers, and an absolute time point. Time here is
 * the machine's virtual clock, so the numbers are the same on every run. A period is m · 2^e µs
 * with a 10-bit m: {@code Timeout.micros} refuses a length it cannot encode exactly,
 * {@code Timeout.period} rounds it down.
 */
public class Timeouts implements Program {
    @Override public void main(L4 l4) {
        long start = l4.systemClock();                               // µs since boot
        l4.sleep(Timeout.micros(1000));                              // exactly 1000 µs
        System.out.println("slept " + (l4.systemClock() - start) + " µs");

        long tag = l4.waitAny(Timeout.micros(2048));                 // open receive, 2048 µs: nobody sends
        String why = L4.failed(tag) && l4.ipcError() == IpcError.TIMEOUT ? "timed out" : "got a message?";
        System.out.println("receive from anyone: " + why);

        long now = l4.systemClock();
        int point = Timeout.pointAtOrBefore(now + 5000, now);        // an absolute time, about 5 ms from now
        l4.receive(l4.myGlobalId(), point);                          // nobody can send as me: a sleep until then
        System.out.println("woke at the time point: " + (l4.systemClock() - now) + " µs later");

        try {
            Timeout.micros(1_000_000);                               // one second has no exact encoding
        } catch (IllegalArgumentException e) {
            System.out.println(e.getMessage());
        }
    }
}
