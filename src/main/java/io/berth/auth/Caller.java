package io.berth.auth;

/** Who made a request: a signed-in user, or anonymous ({@code name} null). */
public record Caller(String name) {

    public static final Caller ANONYMOUS = new Caller(null);

    public boolean anonymous() {
        return name == null;
    }

    /** The name for logs and events: the user, or {@code anonymous}. */
    public String actor() {
        return name == null ? "anonymous" : name;
    }
}
