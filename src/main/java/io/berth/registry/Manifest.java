package io.berth.registry;

import java.util.List;
import java.util.Map;

/**
 * A manifest as pushed: its exact bytes and digest, its media type, and what it points at.
 *
 * @param mediaTypeDeclared whether the bytes name their media type, or only the request did
 * @param blobs the config and layers an image manifest needs in its repository (foreign layers left out)
 * @param children the manifests an index lists
 * @param subject the manifest this one refers to, or null
 * @param artifactType what the manifest is, as the referrers API reports it, or null
 */
public record Manifest(byte[] content, Digest digest, String mediaType, boolean mediaTypeDeclared, List<Descriptor> blobs, List<Descriptor> children,
        Descriptor subject, String artifactType, Map<String, String> annotations) {

    /** How this manifest appears in another's referrers list. */
    public Referrer asReferrer() {
        return new Referrer(new Descriptor(digest, content.length, mediaType), artifactType, annotations);
    }
}
