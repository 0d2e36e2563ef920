import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Program;
import ristretto.user.Threads;

/**
 * An echo server and its clients, all in the root task's address space: each client Calls the
 * server (send, then wait for the answer), the server answers with ReplyWait (reply, then wait
 * for the next caller). Run it with {@code ./ristretto run examples/EchoServer.java [CLIENTS]}.
 */
public class EchoServer implements Program {
    private long serve, client;   // entry points: the IPs threads start at, fixed when the program is linked
    private long server;          // the server's thread ID (threads of one space share its memory)

    @Override public void link(Linker linker) {
        serve = linker.entry("serve", this::serve);
        client = linker.entry("client", this::client);
    }

    @Override public void main(L4 l4) {
        int clients = l4.args().isEmpty() ? 3 : Integer.parseInt(l4.args().getFirst());
        Threads threads = new Threads(l4);
        server = threads.inMySpace(serve, 0);
        for (int i = 1; i <= clients; i++) threads.inMySpace(client, i);   // SP: a word for the thread, here its number
        System.out.println("root: started the server and " + clients + " clients");
    }

    /** Waits for a caller, then answers each message with the same words and waits for the next. */
    private void serve(L4 l4) {
        long tag = l4.waitAny();
        while (!L4.failed(tag)) {
            long caller = l4.from();
            l4.loadMsg(0, l4.mr(1));                       // MR1 back, under a fresh tag (label 0, one word)
            tag = l4.replyWait(caller);
        }
        System.out.println("server: IPC failed, error " + l4.ipcError());
    }

    private void client(L4 l4) {
        long me = l4.startSp();
        l4.loadMsg(0, me * 100);
        long tag = l4.call(server);
        if (L4.failed(tag)) System.out.println("client " + me + ": call failed, error " + l4.ipcError());
        else System.out.println("client " + me + ": sent " + me * 100 + ", got " + l4.mr(1) + " back");
    }
}
