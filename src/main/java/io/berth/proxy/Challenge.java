package io.berth.proxy;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** A {@code WWW-Authenticate: Bearer realm="...",service="...",scope="..."} challenge, parsed. */
record Challenge(String realm, String service, String scope) {

    /** The challenge's parameters; absent ones are null. */
    static Challenge parse(String header) {
        Map<String, String> parameters = new HashMap<>();
        String rest = header.strip();
        int space = rest.indexOf(' ');
        rest = space < 0 ? "" : rest.substring(space + 1);
        int i = 0;
        while (i < rest.length()) {
            int equals = rest.indexOf('=', i);
            if (equals < 0) {
                break;
            }
            String name = rest.substring(i, equals).strip().toLowerCase(Locale.ROOT);
            int start = equals + 1;
            String value;
            if (start < rest.length() && rest.charAt(start) == '"') {
                int end = rest.indexOf('"', start + 1);
                end = end < 0 ? rest.length() : end;
                value = rest.substring(start + 1, end);
                i = rest.indexOf(',', end) < 0 ? rest.length() : rest.indexOf(',', end) + 1;
            } else {
                int comma = rest.indexOf(',', start);
                int end = comma < 0 ? rest.length() : comma;
                value = rest.substring(start, end).strip();
                i = end + 1;
            }
            parameters.put(name, value);
        }
        return new Challenge(parameters.get("realm"), parameters.get("service"), parameters.get("scope"));
    }
}
