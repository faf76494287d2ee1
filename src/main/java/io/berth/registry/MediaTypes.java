package io.berth.registry;

import java.util.Locale;

/** The media types the registry distinguishes. */
public final class MediaTypes {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    private MediaTypes() {}

    /** True for the manifest types that list other manifests. */
    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    /** True for the manifest types that list a config and layers. */
    public static boolean isImage(String mediaType) {
        return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }

    /** The bare type of a Content-Type or Accept entry: no parameters, lower case; null when blank. */
    public static String bare(String headerValue) {
        if (headerValue == null) {
            return null;
        }
        int semicolon = headerValue.indexOf(';');
        String bare = (semicolon < 0 ? headerValue : headerValue.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return bare.isEmpty() ? null : bare;
    }
}
