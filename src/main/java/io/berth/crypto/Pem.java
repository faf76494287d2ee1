package io.berth.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM files, as Distribution (Go's {@code crypto/tls}) reads
 * them, with the JDK alone: {@code CERTIFICATE} blocks, and an unencrypted key as PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}).
 */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);

    /** {@code rsaEncryption} with NULL parameters, as a DER AlgorithmIdentifier. */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** The OID {@code id-ecPublicKey}. */
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");
    private static final byte[] VERSION_0 = hex("020100");
    /** The JDK key algorithm of each PKCS#8 algorithm OID Berth reads (DER, in hex). */
    private static final Map<String, String> KEY_ALGORITHMS = Map.of(
            "06092a864886f70d010101", "RSA", "06072a8648ce3d0201", "EC", "06032b6570", "Ed25519", "06032b6571", "Ed448");
    /** SEC 1 keeps an EC private key in a fixed number of bytes, which names the curve when nothing else does. */
    private static final Map<Integer, String> CURVE_BY_KEY_LENGTH = Map.of(32, "secp256r1", 48, "secp384r1", 66, "secp521r1");

    private static final String KEY_FORMS = "an unencrypted PEM key: \"BEGIN PRIVATE KEY\" (PKCS#8), "
            + "\"BEGIN RSA PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\"";

    /** A PEM file that cannot be used; the message says why, for the operator. */
    public static final class PemException extends Exception {
        PemException(String message) {
            super(message);
        }
    }

    /** One {@code -----BEGIN type-----} block, decoded. */
    private record Block(String type, List<String> headers, byte[] der) {}

    private Pem() {}

    /** Every certificate in a file, in order: the leaf first in a chain. */
    public static List<X509Certificate> certificates(Path file) throws IOException, PemException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Block block : blocks(file)) {
            if (block.type().equals("CERTIFICATE")) {
                try {
                    certificates.add((X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(block.der())));
                } catch (CertificateException e) {
                    throw new PemException(file + " holds a certificate that cannot be read: " + e.getMessage());
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new PemException(file + " holds no \"BEGIN CERTIFICATE\" block");
        }
        return certificates;
    }

    /** The private key in a file, for the certificate whose public key is given. */
    public static PrivateKey privateKey(Path file, PublicKey certified) throws IOException, PemException {
        return privateKey(blocks(file), file.toString(), certified);
    }

    /** The first private key in PEM text, of the algorithm its encoding names; {@code source} names it in messages. */
    public static PrivateKey privateKey(byte[] text, String source) throws PemException {
        return privateKey(blocks(text, source), source, null);
    }

    /** One PEM block, lines of 64 characters. */
    public static byte[] encode(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static List<Block> blocks(Path file) throws IOException, PemException {
        return blocks(Files.readAllBytes(file), file.toString());
    }

    /** The blocks of PEM text, in order; {@code source} names it in messages. */
    private static List<Block> blocks(byte[] text, String source) throws PemException {
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(new String(text, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            List<String> headers = new ArrayList<>();
            StringBuilder base64 = new StringBuilder();
            for (String line : m.group(2).split("\\R")) {
                if (line.contains(":")) {
                    headers.add(line.trim());
                } else {
                    base64.append(line.trim());
                }
            }
            try {
                blocks.add(new Block(m.group(1), headers, Base64.getMimeDecoder().decode(base64.toString())));
            } catch (IllegalArgumentException e) {
                throw new PemException(source + " has a \"" + m.group(1) + "\" block that is not valid base64");
            }
        }
        if (blocks.isEmpty()) {
            throw new PemException(source + " is not a PEM file (no \"-----BEGIN\" block)");
        }
        return blocks;
    }

    /** The first key of {@code blocks}; of the certified key's algorithm when one is given. */
    private static PrivateKey privateKey(List<Block> blocks, String source, PublicKey certified) throws PemException {
        for (Block block : blocks) {
            // OpenSSL's legacy encryption marks the block with headers such as "Proc-Type: 4,ENCRYPTED".
            boolean encrypted = block.type().equals("ENCRYPTED PRIVATE KEY")
                    || block.headers().stream().anyMatch(h -> h.startsWith("Proc-Type") || h.startsWith("DEK-Info"));
            if (encrypted && block.type().endsWith("PRIVATE KEY")) {
                throw new PemException(source + " holds an encrypted key; Berth needs " + KEY_FORMS);
            }
            byte[] pkcs8 = switch (block.type()) {
                case "PRIVATE KEY" -> block.der();
                case "RSA PRIVATE KEY" -> Der.sequence(VERSION_0, RSA_ALGORITHM, Der.tlv(0x04, block.der()));
                case "EC PRIVATE KEY" -> ecToPkcs8(source, block.der(), certified);
                default -> null;
            };
            if (pkcs8 == null) {
                continue;
            }
            String algorithm = certified != null ? certified.getAlgorithm() : algorithmOf(source, pkcs8);
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                throw new PemException(source + " holds a key that "
                        + (certified != null ? "is not a " + algorithm + " key as the certificate's is, or " : "")
                        + "cannot be read: " + e.getMessage());
            }
        }
        throw new PemException(source + " holds no private key; Berth needs " + KEY_FORMS);
    }

    /** The JDK algorithm of a PKCS#8 key, from the OID of its AlgorithmIdentifier. */
    private static String algorithmOf(String source, byte[] pkcs8) throws PemException {
        String oid;
        try {
            Der key = new Der(pkcs8).enter(0x30);
            key.next();
            oid = HexFormat.of().formatHex(key.enter(0x30).nextElement());
        } catch (IllegalArgumentException e) {
            throw new PemException(source + " holds a PRIVATE KEY that cannot be read: " + e.getMessage());
        }
        String algorithm = KEY_ALGORITHMS.get(oid);
        if (algorithm == null) {
            throw new PemException(source + " holds a key of an algorithm Berth does not know (not RSA, EC or Ed25519)");
        }
        return algorithm;
    }

    /**
     * SEC 1 {@code ECPrivateKey} into PKCS#8: the curve, which SEC 1 keeps in the key's optional
     * {@code [0]} field, moves into the algorithm identifier, where the JDK looks for it. A key
     * that leaves it out is taken to be on the certificate's curve, or without a certificate on
     * the curve its length names.
     */
    private static byte[] ecToPkcs8(String source, byte[] sec1, PublicKey certified) throws PemException {
        byte[] curve = null;
        byte[] secret = null;
        try {
            Der fields = new Der(sec1).enter(0x30);
            while (fields.hasMore()) {
                int tag = fields.peekTag();
                byte[] value = fields.next();
                if (tag == 0xa0) {
                    curve = value;
                } else if (tag == 0x04) {
                    secret = value;
                }
            }
        } catch (IllegalArgumentException e) {
            throw new PemException(source + " holds an EC PRIVATE KEY that cannot be read: " + e.getMessage());
        }
        byte[] algorithm;
        if (curve != null) {
            algorithm = Der.sequence(EC_PUBLIC_KEY_OID, curve);
        } else if (certified != null && certified.getAlgorithm().equals("EC")) {
            // SubjectPublicKeyInfo starts with the same AlgorithmIdentifier: id-ecPublicKey and the curve.
            Der publicKeyInfo = new Der(certified.getEncoded()).enter(0x30);
            algorithm = Der.tlv(0x30, publicKeyInfo.enter(0x30).rest());
        } else if (certified == null && secret != null && CURVE_BY_KEY_LENGTH.containsKey(secret.length)) {
            algorithm = Der.sequence(EC_PUBLIC_KEY_OID, curveOid(CURVE_BY_KEY_LENGTH.get(secret.length)));
        } else {
            throw new PemException(source + " holds an EC PRIVATE KEY that does not name its curve"
                    + (certified != null ? ", for a certificate that is not EC" : "")
                    + "; convert the key to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
        }
        return Der.sequence(VERSION_0, algorithm, Der.tlv(0x04, sec1));
    }

    /** The DER OID of a named curve, as the JDK encodes it. */
    private static byte[] curveOid(String name) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(name));
            return parameters.getEncoded();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK lacks the curve " + name, e);
        }
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
