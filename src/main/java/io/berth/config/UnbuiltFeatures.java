package io.berth.config;

/** Features Berth accepts the keys of but does not have yet: turning one on refuses to start rather than run without it. */
final class UnbuiltFeatures {

    private UnbuiltFeatures() {}

    static void refuse(Values v) {
        if (v.get("proxy.remoteurl") != null) {
            throw v.error("proxy.remoteurl", "pull-through caching is not implemented in Berth yet; remove the proxy section");
        }
    }
}
