package io.berth.auth;

/**
 * What a request brings to be judged: its {@code Authorization} header (or null), the client's
 * address, and the origin the client reached this registry at ({@code scheme://host} plus
 * {@code http.prefix}), from which challenges derive the token realm when none is configured.
 */
public record Credentials(String authorization, String address, String origin) {}
