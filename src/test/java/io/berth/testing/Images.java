package io.berth.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.registry.Digest;
import io.berth.registry.MediaTypes;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds and pushes small images through a test registry: blobs first, then manifests as JSON. */
public final class Images {

    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestRegistry registry;

    public Images(TestRegistry registry) {
        this.registry = registry;
    }

    /** A descriptor as a JSON map. */
    public static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", digest.toString());
        descriptor.put("size", size);
        return descriptor;
    }

    /** Pushes a blob and returns its descriptor. */
    public Map<String, Object> blob(String repository, String mediaType, byte[] content) throws IOException, InterruptedException {
        return descriptor(mediaType, registry.push(repository, content), content.length);
    }

    /** Pushes a config and layers made from {@code seed}, and returns an OCI image manifest naming them. */
    public Map<String, Object> image(String repository, String seed, int layers) throws IOException, InterruptedException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", blob(repository, OCI_CONFIG, ("{\"seed\":\"" + seed + "\"}").getBytes()));
        List<Object> layerList = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            layerList.add(blob(repository, OCI_LAYER, (seed + " layer " + i).getBytes()));
        }
        manifest.put("layers", layerList);
        return manifest;
    }

    public static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PUTs manifest bytes with a Content-Type. */
    public HttpResponse<byte[]> put(String repository, String reference, byte[] manifest, String contentType) throws IOException, InterruptedException {
        return registry.send("PUT", "/v2/" + repository + "/manifests/" + reference, manifest, "Content-Type", contentType);
    }

    /** PUTs a manifest map as its own media type and checks that it was accepted; returns its digest. */
    public Digest push(String repository, String reference, Map<String, Object> manifest) throws IOException, InterruptedException {
        byte[] bytes = json(manifest);
        HttpResponse<byte[]> response = put(repository, reference, bytes, (String) manifest.getOrDefault("mediaType", MediaTypes.OCI_MANIFEST));
        if (response.statusCode() != 201) {
            throw new AssertionError("manifest push failed: " + response.statusCode() + " " + new String(response.body()));
        }
        return Digest.sha256(bytes);
    }
}
