package io.berth.auth.token;

import io.berth.crypto.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.List;
import javax.crypto.KeyAgreement;

/** A private key that signs tokens, with its JOSE algorithm and kid. */
public final class SigningKey {

    private static final byte[] PROBE = "berth signing key probe".getBytes(StandardCharsets.US_ASCII);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final Algorithm algorithm;
    private final String keyId;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey, Algorithm algorithm) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.algorithm = algorithm;
        this.keyId = LibtrustKeyId.of(publicKey);
    }

    /**
     * A PEM private key: PKCS#8 "PRIVATE KEY" (RSA, EC P-256/384/521, Ed25519), PKCS#1 "RSA PRIVATE
     * KEY", SEC1 "EC PRIVATE KEY". IOException names what is wrong.
     */
    public static SigningKey fromPem(byte[] pem) throws IOException {
        PrivateKey key;
        try {
            key = Pem.privateKey(pem, "the PEM text");
        } catch (Pem.PemException e) {
            throw new IOException(e.getMessage());
        }
        Algorithm algorithm = algorithmOf(key);
        if (algorithm == null) {
            String kind = key instanceof EdECKey ed ? "an " + ed.getParams().getName() + " key"
                    : key instanceof ECKey ? "an EC key on another curve" : "a " + key.getAlgorithm() + " key";
            throw new IOException("the PEM text holds " + kind
                    + "; tokens are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys");
        }
        try {
            return new SigningKey(key, publicKeyOf(key, algorithm), algorithm);
        } catch (GeneralSecurityException e) {
            throw new IOException("the PEM key's public key cannot be derived: " + e.getMessage());
        }
    }

    /** A new EC P-256 key (ES256). */
    public static SigningKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            return new SigningKey(pair.getPrivate(), pair.getPublic(), Algorithm.ES256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK makes P-256 keys", e);
        }
    }

    /** PKCS#8 PEM, for keeping it. */
    public byte[] toPem() {
        return Pem.encode("PRIVATE KEY", privateKey.getEncoded());
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** "RS256" (RSA), "ES256"/"ES384"/"ES512" (by curve), "EdDSA". */
    public String algorithm() {
        return algorithm.name();
    }

    /** {@code LibtrustKeyId.of(publicKey())}. */
    public String keyId() {
        return keyId;
    }

    byte[] sign(byte[] input) {
        try {
            return algorithm.sign(privateKey, input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a key checked at load time fails to sign", e);
        }
    }

    private static Algorithm algorithmOf(PrivateKey key) {
        for (Algorithm candidate : List.of(Algorithm.RS256, Algorithm.ES256, Algorithm.ES384, Algorithm.ES512, Algorithm.EdDSA)) {
            if (candidate.fits(key)) {
                return candidate;
            }
        }
        return null;
    }

    /** The public half of a private key, which PEM files need not hold; checked by signing with the pair. */
    private static PublicKey publicKeyOf(PrivateKey key, Algorithm algorithm) throws GeneralSecurityException {
        List<PublicKey> candidates = switch (key) {
            case RSAPrivateCrtKey rsa -> List.of(KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())));
            case ECPrivateKey ec -> ecCandidates(ec);
            case EdECPrivateKey ed -> List.of(ed25519PublicKey(ed));
            default -> throw new GeneralSecurityException("an RSA key without its public exponent");
        };
        for (PublicKey candidate : candidates) {
            if (algorithm.verify(candidate, PROBE, algorithm.sign(key, PROBE))) {
                return candidate;
            }
        }
        throw new GeneralSecurityException("no public key verifies the key's signatures");
    }

    /**
     * The two points with the x of d·G, one of which is the public key. ECDH of the key with the
     * generator yields that x with the JDK's own arithmetic; y is the square root of x³ + ax + b,
     * which for P-256, P-384 and P-521 (p ≡ 3 mod 4) is (x³ + ax + b)^((p+1)/4).
     */
    private static List<PublicKey> ecCandidates(ECPrivateKey key) throws GeneralSecurityException {
        ECParameterSpec params = key.getParams();
        KeyFactory factory = KeyFactory.getInstance("EC");
        KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
        ecdh.init(key);
        ecdh.doPhase(factory.generatePublic(new ECPublicKeySpec(params.getGenerator(), params)), true);
        BigInteger x = new BigInteger(1, ecdh.generateSecret());
        BigInteger p = Curves.prime(params);
        BigInteger y = Curves.ySquared(x, params).modPow(p.add(BigInteger.ONE).shiftRight(2), p);
        return List.of(factory.generatePublic(new ECPublicKeySpec(new ECPoint(x, y), params)),
                factory.generatePublic(new ECPublicKeySpec(new ECPoint(x, p.subtract(y)), params)));
    }

    /** The JDK derives an Ed25519 public key only while generating a pair: one is generated from the key's own seed. */
    private static PublicKey ed25519PublicKey(EdECPrivateKey key) throws GeneralSecurityException {
        byte[] seed = key.getBytes().orElseThrow(() -> new GeneralSecurityException("an Ed25519 key without its bytes"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        });
        KeyPair pair = generator.generateKeyPair();
        byte[] generated = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(new byte[0]);
        if (!Arrays.equals(generated, seed)) {
            throw new GeneralSecurityException("the JDK did not derive the Ed25519 public key");
        }
        return pair.getPublic();
    }
}
