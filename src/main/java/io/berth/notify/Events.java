package io.berth.notify;

import io.berth.observe.RequestRecord;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Makes the events of one request, as Distribution's bridge fills them in. */
record Events(RequestRecord request, Event.Source source, boolean includeReferences) {

    Event blob(String action, RepositoryName name, Descriptor descriptor, RepositoryName from) {
        return event(action, new Event.Target(descriptor.mediaType(), descriptor.size(), descriptor.digest().toString(),
                descriptor.size(), name.value(), from == null ? null : from.value(),
                request.urlBase() + "/v2/" + name.value() + "/blobs/" + descriptor.digest(), null, null));
    }

    Event manifest(String action, RepositoryName name, Descriptor descriptor, Tag tag, List<Descriptor> references) {
        return event(action, new Event.Target(descriptor.mediaType(), descriptor.size(), descriptor.digest().toString(),
                descriptor.size(), name.value(), null,
                request.urlBase() + "/v2/" + name.value() + "/manifests/" + descriptor.digest(), tag == null ? null : tag.value(),
                references.isEmpty() ? null
                        : references.stream().map(r -> new Event.Reference(r.mediaType(), r.digest().toString(), r.size())).toList()));
    }

    /** A delete names the repository and the digest, or the tag, deleted: nothing else, as in Distribution. */
    Event deleted(RepositoryName name, Digest digest, Tag tag) {
        return event(Event.DELETE, new Event.Target(null, null, digest == null ? null : digest.toString(), null, name.value(), null,
                null, tag == null ? null : tag.value(), null));
    }

    private Event event(String action, Event.Target target) {
        return new Event(UUID.randomUUID().toString(), Instant.now().toString(), action, target,
                new Event.Request(request.id(), request.addr(), request.host(), request.method(), request.userAgent()),
                new Event.Actor(request.actor()), source);
    }
}
