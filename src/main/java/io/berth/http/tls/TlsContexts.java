package io.berth.http.tls;

import io.berth.crypto.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The server's TLS set-up from {@code http.tls}: the PEM certificate chain and key in an in-memory
 * key store, the client CAs (which make a client certificate mandatory) in a trust store, and the
 * lowest protocol version allowed.
 */
public final class TlsContexts {

    /** Only ever in memory; a key store insists on some password. */
    private static final String STORE_PASSWORD = "berth";

    private TlsContexts() {}

    /** A file of {@code http.tls} that cannot be used; {@code part} is {@code certificate}, {@code key} or {@code clientcas}. */
    public static final class UnusableFileException extends RuntimeException {
        private final String part;

        UnusableFileException(String part, String message) {
            super(message);
            this.part = part;
        }

        public String part() {
            return part;
        }
    }

    /** Jetty's server-side TLS factory for {@code tls}; a file that cannot be used is an {@link UnusableFileException}. */
    public static SslContextFactory.Server server(TlsSettings tls) {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(keyStore(tls.certificate(), tls.key()));
        factory.setKeyStorePassword(STORE_PASSWORD);
        factory.setKeyManagerPassword(STORE_PASSWORD);
        if (!tls.clientCas().isEmpty()) {
            factory.setTrustStore(trustStore(tls.clientCas()));
            factory.setNeedClientAuth(true);
        }
        factory.setIncludeProtocols(tls.minimumTls().equals("tls1.3")
                ? new String[] {"TLSv1.3"}
                : new String[] {"TLSv1.2", "TLSv1.3"});
        // HTTP/2 forbids some TLS 1.2 ciphers: offer those it allows first.
        factory.setCipherComparator(HTTP2Cipher.COMPARATOR);
        return factory;
    }

    private static KeyStore keyStore(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(certificateFile);
        } catch (IOException | Pem.PemException e) {
            throw new UnusableFileException("certificate", e.getMessage());
        }
        PrivateKey key;
        try {
            key = Pem.privateKey(keyFile, chain.getFirst().getPublicKey());
        } catch (IOException | Pem.PemException e) {
            throw new UnusableFileException("key", e.getMessage());
        }
        if (!belongTogether(key, chain.getFirst())) {
            throw new UnusableFileException("key", "the key in " + keyFile + " does not belong to the certificate in " + certificateFile);
        }
        try {
            KeyStore store = emptyStore();
            store.setKeyEntry("berth", key, STORE_PASSWORD.toCharArray(), chain.toArray(new X509Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new UnusableFileException("key", "cannot use the key in " + keyFile + ": " + e.getMessage());
        }
    }

    private static KeyStore trustStore(List<Path> files) {
        try {
            KeyStore store = emptyStore();
            int n = 0;
            for (Path file : files) {
                for (X509Certificate ca : Pem.certificates(file)) {
                    store.setCertificateEntry("ca-" + n++, ca);
                }
            }
            return store;
        } catch (IOException | GeneralSecurityException | Pem.PemException e) {
            throw new UnusableFileException("clientcas", e.getMessage());
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    /** Whether the key signs what the certificate's public key verifies; true for algorithms not checked here. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] probe = "berth".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
