package io.berth.auth.token;

import io.berth.crypto.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The public keys tokens may be signed with: by kid, and the roots x5c chains must verify to. */
public final class TrustedKeys {

    private final Map<String, PublicKey> byKid;
    private final List<X509Certificate> roots;
    private final Set<TrustAnchor> anchors;

    private TrustedKeys(Map<String, PublicKey> byKid, List<X509Certificate> roots) {
        this.byKid = Map.copyOf(byKid);
        this.roots = List.copyOf(roots);
        this.anchors = roots.stream().map(root -> new TrustAnchor(root, null)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * rootcertbundle (PEM certificates; each cert's key is also trusted under its libtrust key id)
     * and/or a JWKS file; either may be null. Throws IOException with a message naming the file and
     * what is wrong (unreadable, no certificate, bad JSON, unsupported key type).
     * A certificate's key is trusted under its RFC 7638 thumbprint too, as Distribution 3 does.
     */
    public static TrustedKeys load(Path rootCertBundle, Path jwks) throws IOException {
        Map<String, PublicKey> byKid = new LinkedHashMap<>();
        List<X509Certificate> roots = List.of();
        if (rootCertBundle != null) {
            try {
                roots = Pem.certificates(rootCertBundle);
            } catch (Pem.PemException e) {
                throw new IOException(e.getMessage());
            } catch (IOException e) {
                throw Jwks.unreadable(rootCertBundle, e);
            }
            for (X509Certificate root : roots) {
                trust(byKid, root.getPublicKey());
            }
        }
        if (jwks != null) {
            byKid.putAll(Jwks.load(jwks));
        }
        return new TrustedKeys(byKid, roots);
    }

    public static TrustedKeys none() {
        return new TrustedKeys(Map.of(), List.of());
    }

    /** These keys plus one more, trusted under its libtrust key id (the built-in token server's own key). */
    public TrustedKeys with(PublicKey key) {
        Map<String, PublicKey> more = new LinkedHashMap<>(byKid);
        more.put(LibtrustKeyId.of(key), key);
        return new TrustedKeys(more, roots);
    }

    /** The key trusted under {@code kid}, or null. */
    PublicKey byKid(String kid) {
        return byKid.get(kid);
    }

    /**
     * The leaf's key of an x5c chain (leaf first) that leads to a root of the bundle at
     * {@code at}; revocation is not checked, as Distribution does not.
     */
    PublicKey certifiedKey(List<X509Certificate> chain, Instant at) throws InvalidTokenException {
        List<X509Certificate> path = new ArrayList<>(chain);
        // A chain may end with the root itself; PKIX wants the path without its anchor.
        while (!path.isEmpty() && roots.contains(path.getLast())) {
            path.removeLast();
        }
        try {
            if (path.isEmpty()) {
                chain.getFirst().checkValidity(Date.from(at));
            } else if (anchors.isEmpty()) {
                throw new InvalidTokenException("certificate chain does not lead to a trusted root");
            } else {
                PKIXParameters parameters = new PKIXParameters(anchors);
                parameters.setRevocationEnabled(false);
                parameters.setDate(Date.from(at));
                CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            }
            return chain.getFirst().getPublicKey();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new InvalidTokenException("a certificate of the chain is expired or not valid yet");
        } catch (CertPathValidatorException e) {
            throw new InvalidTokenException(e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID
                    ? "a certificate of the chain is expired or not valid yet"
                    : e.getReason() == PKIXReason.NO_TRUST_ANCHOR ? "certificate chain does not lead to a trusted root"
                    : "certificate chain does not verify");
        } catch (GeneralSecurityException e) {
            throw new InvalidTokenException("certificate chain does not verify");
        }
    }

    private static void trust(Map<String, PublicKey> byKid, PublicKey key) {
        byKid.put(LibtrustKeyId.of(key), key);
        for (String thumbprint : Jwks.thumbprints(key)) {
            byKid.put(thumbprint, key);
        }
    }
}
