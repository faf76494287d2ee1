package io.berth.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One event, in the shape and field names of Distribution's notifications: empty fields are left
 * out as Go's {@code omitempty} leaves them out, while the four records always appear.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Event(String id, String timestamp, String action, Target target, Request request, Actor actor, Source source) {

    static final String PUSH = "push";
    static final String PULL = "pull";
    static final String MOUNT = "mount";
    static final String DELETE = "delete";

    /** What the event is about; {@code length} repeats {@code size}, as Distribution still sends it. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Target(String mediaType, Long size, String digest, Long length, String repository, String fromRepository, String url,
            String tag, List<Reference> references) {}

    /** A descriptor a manifest references, as {@code includereferences} lists them. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Reference(String mediaType, String digest, long size) {}

    /** The request that caused the event. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Request(String id, String addr, String host, String method, String useragent) {}

    /** Who made the request: empty when anonymous. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Actor(String name) {}

    /** The registry that sent it: {@code host:port} and the replica's name. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Source(String addr, String instanceID) {}
}
