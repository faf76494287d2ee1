package io.berth.auth;

import java.util.function.Supplier;

/**
 * What a request brings to be judged: its {@code Authorization} header (or null), the client's
 * address, and the origin the client reached this registry at ({@code scheme://host} plus
 * {@code http.prefix}), from which challenges derive the token realm when none is configured. The
 * origin is worked out only when a challenge needs it, not on every request.
 */
public record Credentials(String authorization, String address, Supplier<String> origin) {}
