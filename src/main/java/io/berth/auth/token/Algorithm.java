package io.berth.auth.token;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * The JOSE signature algorithms Berth verifies and signs with: asymmetric only, so that a token
 * can never be an HMAC keyed with something public, such as a trusted certificate.
 */
enum Algorithm {
    RS256("SHA256withRSA", null), RS384("SHA384withRSA", null), RS512("SHA512withRSA", null),
    PS256("RSASSA-PSS", "SHA-256"), PS384("RSASSA-PSS", "SHA-384"), PS512("RSASSA-PSS", "SHA-512"),
    // JOSE carries an ECDSA signature as r || s of fixed length (IEEE P1363), not DER.
    ES256("SHA256withECDSAinP1363Format", "P-256"), ES384("SHA384withECDSAinP1363Format", "P-384"),
    ES512("SHA512withECDSAinP1363Format", "P-521"),
    EdDSA("Ed25519", null);

    private final String jdkName;
    /** The curve of an ES algorithm, the hash of a PS one. */
    private final String parameter;

    Algorithm(String jdkName, String parameter) {
        this.jdkName = jdkName;
        this.parameter = parameter;
    }

    /** The algorithm of a JOSE {@code alg} value, or null when Berth has none of that name. */
    static Algorithm named(String name) {
        for (Algorithm algorithm : values()) {
            if (algorithm.name().equals(name)) {
                return algorithm;
            }
        }
        return null;
    }

    /** Whether {@code key} is of the type this algorithm signs with (RSA; EC on its curve; Ed25519). */
    boolean fits(Key key) {
        return switch (this) {
            case RS256, RS384, RS512, PS256, PS384, PS512 -> key instanceof RSAKey;
            case ES256, ES384, ES512 -> key instanceof ECKey ec && parameter.equals(Curves.nameOf(ec.getParams()));
            case EdDSA -> key instanceof EdECKey ed && ed.getParams().getName().equalsIgnoreCase("Ed25519");
        };
    }

    boolean verify(PublicKey key, byte[] input, byte[] signature) throws GeneralSecurityException {
        Signature verifier = signature();
        verifier.initVerify(key);
        verifier.update(input);
        return verifier.verify(signature);
    }

    byte[] sign(PrivateKey key, byte[] input) throws GeneralSecurityException {
        Signature signer = signature();
        signer.initSign(key);
        signer.update(input);
        return signer.sign();
    }

    private Signature signature() throws GeneralSecurityException {
        Signature signature = Signature.getInstance(jdkName);
        if (jdkName.equals("RSASSA-PSS")) {
            // RFC 7518: MGF1 with the same hash, a salt as long as the hash.
            int saltLength = Integer.parseInt(parameter.substring(4)) / 8;
            signature.setParameter(new PSSParameterSpec(parameter, "MGF1", new MGF1ParameterSpec(parameter), saltLength, 1));
        }
        return signature;
    }
}
