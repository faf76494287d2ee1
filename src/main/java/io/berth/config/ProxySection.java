package io.berth.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code proxy} section: Distribution's single upstream ({@code remoteurl}, {@code username},
 * {@code password}, {@code ttl}) and Berth's {@code remotes}, each named by the first path component
 * (and {@code ?ns=} value) that routes to it.
 */
final class ProxySection {

    /** One path component of a repository name, as the distribution spec defines it. */
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

    private ProxySection() {}

    /** The remotes configured; empty when the registry is no cache. */
    static Config.Proxy read(Values v) {
        List<Config.Remote> remotes = new ArrayList<>();
        Duration ttl = v.duration("proxy.ttl");
        if (v.get("proxy.remoteurl") != null) {
            remotes.add(new Config.Remote(null, url(v, "proxy.remoteurl", v.text("proxy.remoteurl")), blankToNull(v.text("proxy.username")),
                    blankToNull(v.text("proxy.password")), ttl));
        }
        // Credentials without remoteurl turn nothing on, as in Distribution.
        Set<String> names = new HashSet<>();
        List<Map<String, Object>> records = v.records("proxy.remotes");
        for (int i = 0; i < records.size(); i++) {
            Map<String, Object> record = records.get(i);
            String entry = "remote " + (i + 1);
            String name = field(record, "name");
            if (name == null || !COMPONENT.matcher(name).matches()) {
                throw v.error("proxy.remotes", entry + ": name \"" + name + "\" must be one repository name component such as"
                        + " docker.io or ghcr.io (lower case, no port): clients reach the remote under /v2/<name>/...");
            }
            if (!names.add(name)) {
                throw v.error("proxy.remotes", entry + ": the name " + name + " is given twice");
            }
            String remoteUrl = field(record, "remoteurl");
            if (remoteUrl == null) {
                throw v.error("proxy.remotes", entry + " (" + name + ") has no remoteurl");
            }
            String ttlText = field(record, "ttl");
            Duration remoteTtl = ttlText == null ? ttl : GoDuration.parse(ttlText);
            if (remoteTtl == null || remoteTtl.isNegative()) {
                throw v.error("proxy.remotes", entry + " (" + name + "): expected a ttl such as 168h, 30m or 0, got \"" + ttlText + "\"");
            }
            remotes.add(new Config.Remote(name, url(v, "proxy.remotes", remoteUrl), field(record, "username"), field(record, "password"),
                    remoteTtl));
        }
        return new Config.Proxy(List.copyOf(remotes));
    }

    private static URI url(Values v, String key, String text) {
        URI url = v.uri(key, text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null
                || (url.getPath() != null && !url.getPath().isEmpty())) {
            throw v.error(key, "expected the upstream as http(s)://host[:port], got \"" + text + "\"");
        }
        return url;
    }

    private static String field(Map<String, Object> record, String name) {
        Object value = record.get(name);
        return value == null ? null : blankToNull(String.valueOf(value).strip());
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
