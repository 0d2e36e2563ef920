package ristretto.user.l4test;

import java.util.ArrayList;
import java.util.List;
import ristretto.abi.Fpage;
import ristretto.abi.IpcError;
import ristretto.user.L4;
import ristretto.user.Linker;
import ristretto.user.Message;
import ristretto.user.Sigma0Client;
import ristretto.user.StringBuffers;
import ristretto.user.Threads;

/**
 * l4test's "String copy IPC, inter address space (no pagefaults)" (§16.3), run by a root task:
 * per row a receiver t1 and a sender t2 in two new spaces, paged by the root from a page of its
 * own each. The sender's 256-byte buffer holds 0..255, the receiver's is filled with 0xFF; both
 * touch their buffers before the transfer, so the copy itself does not fault. Each row checks
 * both ErrorCodes (error, phase, offset), the receiver's buffer byte by byte (0..255 up to the
 * cut, 0xFF after it), that the receiver's MR1 holds the sender's first string item header, and
 * that the tag's t is the sender's, also when the transfer failed (§5.2).
 */
public final class StringChecklist {
    private static final int LENGTH = 256, PAGE = 4096;
    private static final long LABEL = 0x57;

    /**
     * A string layout in the checklist's notation: strings separated by {@code ;}, each a chain
     * of items {@code [kxL]} (k substrings of L bytes; two or more items make a compound
     * string). Substrings lie one after the other from a buffer's start.
     */
    record Layout(List<List<Item>> strings) {
        record Item(int substrings, long length) {}

        static Layout of(String spec) {
            List<List<Item>> strings = new ArrayList<>();
            for (String string : spec.split(";")) {
                List<Item> items = new ArrayList<>();
                for (String item : string.trim().split("]")) {
                    String[] kl = item.trim().substring(1).split("x");
                    items.add(new Item(Integer.parseInt(kl[0]), Long.parseLong(kl[1])));
                }
                strings.add(items);
            }
            return new Layout(strings);
        }

        /** The sender's message: the strings at {@code base}. */
        Message message(long base) {
            Message m = new Message(LABEL);
            walk(base, (first, length, addresses) -> { if (first) m.string(length, addresses); else m.more(length, addresses); });
            return m;
        }

        /** The receiver's buffers: one per string, at {@code base}. */
        StringBuffers buffers(long base) {
            StringBuffers b = new StringBuffers();
            walk(base, (first, length, addresses) -> { if (first) b.buffer(length, addresses); else b.more(length, addresses); });
            return b;
        }

        /** Each item, first of its string or not, with its substrings' addresses (one after the other from {@code base}). */
        private void walk(long base, ItemVisitor visitor) {
            long a = base;
            for (List<Item> string : strings)
                for (int i = 0; i < string.size(); i++) {
                    Item it = string.get(i);
                    long[] addresses = new long[it.substrings];
                    for (int k = 0; k < addresses.length; k++) addresses[k] = a + k * it.length;
                    a += it.substrings * it.length;
                    visitor.item(i == 0, it.length, addresses);
                }
        }

        private interface ItemVisitor { void item(boolean first, long length, long[] addresses); }
    }

    /** One row of §16.3: the sender's strings, the receiver's buffers (null: it accepts no strings), the expected error (0: none) and cut. */
    record Row(String name, String send, String receive, int error, long cut) {
        Layout sender() { return Layout.of(send); }
    }

    static final List<Row> ROWS = List.of(
            new Row("Simple string transfer", "[1x256]", "[1x256]", 0, 256),
            new Row("Simple substring transfer", "[4x64]", "[4x64]", 0, 256),
            new Row("Compound substring transfer", "[4x32][2x64]", "[4x32][2x64]", 0, 256),
            new Row("Multiple complex strings transfer", "[4x32] ; [2x32][1x64]", "[4x32] ; [2x32][1x64]", 0, 256),
            new Row("Scatter", "[1x256]", "[4x32][2x32][1x64]", 0, 256),
            new Row("Gather", "[4x32][2x32][1x64]", "[1x256]", 0, 256),
            new Row("Complex Scatter/Gather", "[3x32][2x64][2x16]", "[3x16][4x32][1x16][1x64]", 0, 256),
            new Row("Too long receive buffer", "[1x252]", "[2x64][1x128]", 0, 252),
            new Row("No receive buffer", "[1x256]", null, IpcError.MSG_OVERFLOW, 0),
            new Row("Missing receive buffer", "[1x128] ; [1x128]", "[1x256]", IpcError.MSG_OVERFLOW, 128),
            new Row("Too short receive buffer", "[1x256]", "[1x252]", IpcError.MSG_OVERFLOW, 252),
            new Row("Complex cut message", "[3x32] ; [2x64][2x16]", "[4x16][1x32] ; [3x32][1x60]", IpcError.MSG_OVERFLOW, 252));

    /** The names of the checks, in the order {@link #run} makes them (l4test's print_result names). */
    public static final List<String> NAMES = ROWS.stream().map(Row::name).toList();

    private long receiver, sender;

    /** Registers the thread bodies in the code image. */
    public void link(Linker l) {
        receiver = l.entry("l4test.string-receiver", l4 -> {
            StringPairs.Setup s = StringPairs.Setup.receiver(l4, LENGTH);
            Row row = ROWS.get(s.row());
            long mine = s.receiveBuffer();
            if (row.receive == null) StringBuffers.refuse(l4);
            else Layout.of(row.receive).buffers(mine).accept(l4);
            StringPairs.receiveAndReport(l4, s.partner(), mine, LENGTH, row.cut, i -> i);
        });
        sender = l.entry("l4test.string-sender", l4 -> {
            StringPairs.Setup s = StringPairs.Setup.sender(l4, LENGTH, i -> i);
            long mine = s.sendBuffer();
            StringPairs.sendAndReport(l4, s.partner(), ROWS.get(s.row()).sender().message(mine));
        });
    }

    /** Runs every row from the root task, recording into {@code checks}. */
    public void run(L4 l4, Checks checks) {
        long memory = Fpage.address(Sigma0Client.getAny(l4, 13));      // a page for each buffer
        StringPairs pairs = new StringPairs(l4, new Threads(l4, 128), memory, 2 * PAGE, 0);
        long sendBuffer = memory, receiveBuffer = memory + PAGE;
        for (int i = 0; i < ROWS.size(); i++) {
            Row row = ROWS.get(i);
            StringPairs.Outcome o = pairs.run(StringPairs.Spaces.NEW, receiver, sender, StringPairs.Action.SERVE, i, sendBuffer, receiveBuffer);
            Message sent = row.sender().message(sendBuffer);
            long[] r = o.receiver();
            boolean ok = StringPairs.errorIs(r[0], row.error, IpcError.PHASE_RECEIVE, row.cut)
                    && StringPairs.errorIs(o.sender()[0], row.error, IpcError.PHASE_SEND, row.cut)
                    && r[2] == sent.typedWord(0) && r[3] == -1 && r[1] == sent.typedWords();
            checks.check(row.name, ok, "receiver " + StringPairs.describe(r[0]) + ", sender " + StringPairs.describe(o.sender()[0])
                    + ", t " + r[1] + ", MR1 0x" + Long.toHexString(r[2]) + (r[3] == -1 ? "" : ", byte " + r[3] + " wrong"));
        }
    }
}
