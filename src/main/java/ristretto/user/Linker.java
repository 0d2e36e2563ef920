package ristretto.user;

/** Places entry points into the code image at load time and answers their IPs. */
public interface Linker {
    long entry(String name, Entry code);
}
