package io.berth.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the {@code http} section: where to listen, prefix and host, TLS, headers, the debug server, draining. */
final class HttpSection {

    private HttpSection() {}

    static Config.Http read(Values v) {
        if (!v.text("http.net").equals("tcp")) {
            throw v.error("http.net", "Berth listens on tcp only");
        }
        String prefix = v.text("http.prefix");
        if (!prefix.isEmpty() && !prefix.startsWith("/")) {
            throw v.error("http.prefix", "expected a path starting with /, got \"" + prefix + "\"");
        }
        String host = v.text("http.host");
        if (!host.isEmpty()) {
            URI uri = v.uri("http.host");
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw v.error("http.host", "expected an http or https URL such as https://registry.example.com, got \"" + host + "\"");
            }
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : v.settings.children("http.headers")) {
            headers.put(name, v.list("http.headers." + name));
        }
        return new Config.Http(v.address("http.addr"), prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix,
                host, v.text("http.secret"), tls(v), Collections.unmodifiableMap(headers), debug(v),
                v.duration("http.draintimeout"), v.bool("http.http2.disabled"), limits(v));
    }

    private static Config.Limits limits(Values v) {
        return new Config.Limits((int) v.positive("http.limits.connections"), v.positiveDuration("http.limits.headertimeout"),
                v.integer("http.limits.minbodyrate"), v.positiveDuration("http.limits.idletimeout"),
                (int) v.positive("http.limits.uploads"), (int) v.positive("http.limits.uploadsperrepository"),
                v.integer("http.limits.minresponserate"));
    }

    /** {@code http.tls}, or null for plain HTTP. */
    private static Config.Tls tls(Values v) {
        boolean certificate = v.get("http.tls.certificate") != null;
        boolean key = v.get("http.tls.key") != null;
        if (!certificate && !key) {
            return null;
        }
        if (!certificate || !key) {
            throw v.error(certificate ? "http.tls.key" : "http.tls.certificate",
                    "TLS needs both http.tls.certificate and http.tls.key");
        }
        return new Config.Tls(v.readableFile("http.tls.certificate"), v.readableFile("http.tls.key"),
                v.list("http.tls.clientcas").stream().map(p -> v.readable("http.tls.clientcas", Path.of(p))).toList(),
                v.oneOf("http.tls.minimumtls", "tls1.2", "tls1.3"));
    }

    private static Config.Debug debug(Values v) {
        InetSocketAddress address = v.get("http.debug.addr") == null ? null : v.address("http.debug.addr");
        String metricsPath = v.text("http.debug.prometheus.path");
        if (!metricsPath.startsWith("/")) {
            throw v.error("http.debug.prometheus.path", "expected a path starting with /, got \"" + metricsPath + "\"");
        }
        if (v.bool("http.debug.prometheus.enabled") && address == null) {
            throw v.error("http.debug.prometheus.enabled", "metrics are served on the debug address: set http.debug.addr");
        }
        return new Config.Debug(address, v.bool("http.debug.prometheus.enabled"), metricsPath);
    }
}
