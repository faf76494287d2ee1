package io.berth.http.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * The server's TLS files: the PEM certificate chain and key, the CAs whose client certificates it
 * requires (none: no client certificate asked for), and the lowest version, {@code tls1.2} or {@code tls1.3}.
 */
public record TlsSettings(Path certificate, Path key, List<Path> clientCas, String minimumTls) {}
