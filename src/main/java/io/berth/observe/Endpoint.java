package io.berth.observe;

/**
 * The kind of API route a request reached: the label requests are counted by, so that metrics stay
 * a fixed handful of series instead of one per repository or digest.
 */
public enum Endpoint {
    BASE("base"),
    BLOB("blob"),
    UPLOAD("upload"),
    MANIFEST("manifest"),
    TAGS("tags"),
    REFERRERS("referrers"),
    CATALOG("catalog"),
    /** The built-in token server's endpoint. */
    TOKEN("token"),
    /** No route matched, or the path named no valid repository. */
    UNKNOWN("unknown");

    private final String label;

    Endpoint(String label) {
        this.label = label;
    }

    /** The value of the {@code route} label and of the access log's {@code route} field. */
    public String label() {
        return label;
    }
}
