package io.berth.config;

import java.util.Map;

/** Features Berth accepts the keys of but does not have yet: turning one on refuses to start rather than run without it. */
final class UnbuiltFeatures {

    private UnbuiltFeatures() {}

    static void refuse(Values v) {
        for (Map<String, Object> endpoint : v.records("notifications.endpoints")) {
            if (!"true".equals(String.valueOf(endpoint.get("disabled")))) {
                throw v.error("notifications.endpoints", "notifications are not implemented in Berth yet;"
                        + " remove endpoint \"" + endpoint.get("name") + "\" or set disabled: true");
            }
        }
    }
}
