package io.berth.http;

import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One page of a sorted listing, chosen by the spec's {@code n} and {@code last} parameters. */
record Page(List<String> items, boolean more) {

    /**
     * The items after {@code last}, at most {@code n} of them (at most {@code cap} when the
     * client names no {@code n}; {@code cap <= 0} means no cap).
     */
    static Page of(List<String> sorted, Exchange ex, int cap) {
        String last = ex.query("last");
        int limit = limit(ex.query("n"), cap);
        int from = 0;
        if (last != null) {
            while (from < sorted.size() && sorted.get(from).compareTo(last) <= 0) {
                from++;
            }
        }
        int to = limit < 0 ? sorted.size() : (int) Math.min(sorted.size(), (long) from + limit);
        return new Page(sorted.subList(from, to), to < sorted.size());
    }

    /** Adds the RFC 5988 link to the next page when there is one. */
    void linkNext(Exchange ex, String path) {
        if (more && !items.isEmpty()) {
            String last = URLEncoder.encode(items.get(items.size() - 1), StandardCharsets.UTF_8);
            ex.header("Link", "<" + path + "?last=" + last + "&n=" + items.size() + ">; rel=\"next\"");
        }
    }

    /** The page size {@code n} asks for, at most {@code cap}; without {@code n}, {@code cap} ({@code cap <= 0}: no cap, -1 for all). */
    static int limit(String n, int cap) {
        if (n == null) {
            return cap > 0 ? cap : -1;
        }
        try {
            int value = Integer.parseInt(n);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return cap > 0 ? Math.min(value, cap) : value;
        } catch (NumberFormatException e) {
            throw new RegistryException(new RegistryError.PaginationNumberInvalid("n must be a non-negative integer"));
        }
    }
}
