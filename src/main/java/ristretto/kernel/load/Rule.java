package ristretto.kernel.load;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One row of {@link Rules}: which types, which of their members, and why not (or {@code null}:
 * allowed, an exception to a later row).
 *
 * <p>The owner column is one or more binary names ({@code java.lang.Thread$Builder}) separated by
 * {@code |}. A name without {@code *} is exact, and also covers every JDK subtype of it: javac
 * names the receiver's static type as the owner of a call, so {@code ForkJoinWorkerThread.join}
 * must be caught by the row for {@code java.lang.Thread}, and {@code ArrayBlockingQueue.take} by
 * the row for {@code BlockingQueue}. A name with {@code *} is a glob over names only ({@code *}
 * matches anything, dots included): "everything in this package".
 *
 * <p>The member column is {@link Rules#ANY_USE}, {@link Rules#ANY_MEMBER}, or globs separated by
 * {@code |}: a glob without {@code (} matches a member's name, one with {@code (} its name and
 * descriptor ({@code wait(J)V}), for rows that must not catch a user's own overloads.
 */
final class Rule {
    private final String owner;
    private final String member;
    private final String reason;
    private final Set<String> exactOwners = new HashSet<>();
    private final Pattern ownerGlobs;           // null: no glob in the owner column
    private final Pattern memberNames;          // null: no name glob in the member column
    private final Pattern memberSignatures;     // null: no name-and-descriptor glob

    Rule(String owner, String member, String reason) {
        this.owner = Objects.requireNonNull(owner);
        this.member = Objects.requireNonNull(member);
        this.reason = reason;
        List<String> globs = new ArrayList<>();
        for (String o : owner.split("\\|")) {
            if (o.contains("*")) globs.add(o);
            else exactOwners.add(o);
        }
        ownerGlobs = compile(globs);
        List<String> names = new ArrayList<>();
        List<String> signatures = new ArrayList<>();
        if (!member.equals(Rules.ANY_USE) && !member.equals(Rules.ANY_MEMBER))
            for (String m : member.split("\\|")) (m.contains("(") ? signatures : names).add(m);
        memberNames = compile(names);
        memberSignatures = compile(signatures);
    }

    String owner() { return owner; }

    String member() { return member; }

    /** Why a use this row matches is refused; null if the row allows it. */
    String reason() { return reason; }

    boolean allows() { return reason == null; }

    /** The exact names in the owner column (those that also cover their JDK subtypes). */
    Set<String> exactOwners() { return Set.copyOf(exactOwners); }

    /** Whether the row forbids even naming the type (a class literal, a cast, an array of it). */
    boolean coversAnyUse() { return member.equals(Rules.ANY_USE); }

    /** Whether the row covers the type as a whole, every member of it. */
    boolean coversEveryMember() { return coversAnyUse() || member.equals(Rules.ANY_MEMBER); }

    /** Whether the row covers the member {@code name} with {@code descriptor} (a field's type or a method's). */
    boolean coversMember(String name, String descriptor) {
        if (coversEveryMember()) return true;
        return memberNames != null && memberNames.matcher(name).matches()
                || memberSignatures != null && memberSignatures.matcher(name + descriptor).matches();
    }

    /**
     * The name by which the row matches {@code type}: the type itself, or one of its
     * {@code supertypes} that an exact name covers; null if the row does not match.
     */
    String matchOwner(String type, List<String> supertypes) {
        if (exactOwners.contains(type) || ownerGlobs != null && ownerGlobs.matcher(type).matches()) return type;
        for (String s : supertypes) if (exactOwners.contains(s)) return s;
        return null;
    }

    @Override public String toString() {
        return owner + " " + member + (reason == null ? " allowed" : " refused: " + reason);
    }

    /** One pattern for globs joined by |, in which only * is special; null for none. */
    private static Pattern compile(List<String> globs) {
        if (globs.isEmpty()) return null;
        StringBuilder re = new StringBuilder();
        for (String g : globs) {
            if (!re.isEmpty()) re.append('|');
            String[] parts = g.split("\\*", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) re.append(".*");
                if (!parts[i].isEmpty()) re.append(Pattern.quote(parts[i]));
            }
        }
        return Pattern.compile(re.toString());
    }
}
