package io.berth.observe;

/**
 * What a request's events say of it: its id (the access log's), the client's address, the Host it
 * asked for, its method and user agent, who made it ({@code actor} null when anonymous), and the
 * URL the registry is reached at ({@code scheme://authority} and {@code http.prefix}).
 */
public record RequestRecord(String id, String addr, String host, String method, String userAgent, String actor, String urlBase) {}
