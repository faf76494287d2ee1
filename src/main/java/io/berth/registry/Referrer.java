package io.berth.registry;

import java.util.Map;

/** A manifest that names another as its subject, as the referrers API lists it. */
public record Referrer(Descriptor descriptor, String artifactType, Map<String, String> annotations) {

    public Referrer {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
