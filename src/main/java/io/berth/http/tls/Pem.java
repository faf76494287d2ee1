package io.berth.http.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM files, as Distribution (Go's {@code crypto/tls}) reads
 * them, with the JDK alone: {@code CERTIFICATE} blocks, and an unencrypted key as PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}).
 */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);

    /** {@code rsaEncryption} with NULL parameters, as a DER AlgorithmIdentifier. */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** The OID {@code id-ecPublicKey}. */
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");
    private static final byte[] VERSION_0 = hex("020100");

    private static final String KEY_FORMS = "an unencrypted PEM key: \"BEGIN PRIVATE KEY\" (PKCS#8), "
            + "\"BEGIN RSA PRIVATE KEY\" or \"BEGIN EC PRIVATE KEY\"";

    /** A PEM file that cannot be used; the message says why, for the operator. */
    static final class PemException extends Exception {
        PemException(String message) {
            super(message);
        }
    }

    /** One {@code -----BEGIN type-----} block, decoded. */
    record Block(String type, List<String> headers, byte[] der) {}

    private Pem() {}

    /** Every certificate in a file, in order: the leaf first in a chain. */
    static List<X509Certificate> certificates(Path file) throws IOException, PemException {
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
    static PrivateKey privateKey(Path file, PublicKey certified) throws IOException, PemException {
        String algorithm = certified.getAlgorithm();
        for (Block block : blocks(file)) {
            byte[] pkcs8 = switch (block.type()) {
                case "PRIVATE KEY" -> block.der();
                case "RSA PRIVATE KEY" -> unencrypted(file, block, wrap(VERSION_0, RSA_ALGORITHM, tlv(0x04, block.der())));
                case "EC PRIVATE KEY" -> unencrypted(file, block, ecToPkcs8(file, block.der(), certified));
                case "ENCRYPTED PRIVATE KEY" -> throw new PemException(file + " holds an encrypted key; Berth needs " + KEY_FORMS);
                default -> null;
            };
            if (pkcs8 == null) {
                continue;
            }
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                throw new PemException(file + " holds a key that is not a " + algorithm
                        + " key as the certificate's is, or cannot be read: " + e.getMessage());
            }
        }
        throw new PemException(file + " holds no private key; Berth needs " + KEY_FORMS);
    }

    private static byte[] unencrypted(Path file, Block block, byte[] pkcs8) throws PemException {
        // OpenSSL's legacy encryption marks the block with headers such as "Proc-Type: 4,ENCRYPTED".
        if (block.headers().stream().anyMatch(h -> h.startsWith("Proc-Type") || h.startsWith("DEK-Info"))) {
            throw new PemException(file + " holds an encrypted key; Berth needs " + KEY_FORMS);
        }
        return pkcs8;
    }

    /**
     * SEC 1 {@code ECPrivateKey} into PKCS#8: the curve, which SEC 1 keeps in the key's optional
     * {@code [0]} field, moves into the algorithm identifier, where the JDK looks for it. A key
     * that leaves it out is taken to be on the certificate's curve.
     */
    private static byte[] ecToPkcs8(Path file, byte[] sec1, PublicKey certified) throws PemException {
        byte[] curve = null;
        try {
            Der key = new Der(sec1);
            Der fields = key.enter(0x30);
            while (fields.hasMore()) {
                int tag = fields.peekTag();
                byte[] value = fields.next();
                if (tag == 0xa0) {
                    curve = value;
                }
            }
        } catch (IllegalArgumentException e) {
            throw new PemException(file + " holds an EC PRIVATE KEY that cannot be read: " + e.getMessage());
        }
        byte[] algorithm;
        if (curve != null) {
            algorithm = wrap(EC_PUBLIC_KEY_OID, curve);
        } else if (certified.getAlgorithm().equals("EC")) {
            // SubjectPublicKeyInfo starts with the same AlgorithmIdentifier: id-ecPublicKey and the curve.
            Der publicKeyInfo = new Der(certified.getEncoded()).enter(0x30);
            algorithm = tlv(0x30, publicKeyInfo.enter(0x30).rest());
        } else {
            throw new PemException(file + " holds an EC PRIVATE KEY that does not name its curve, for a certificate "
                    + "that is not EC; convert the key to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
        }
        return wrap(VERSION_0, algorithm, tlv(0x04, sec1));
    }

    static List<Block> blocks(Path file) throws IOException, PemException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
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
                throw new PemException(file + " has a \"" + m.group(1) + "\" block that is not valid base64");
            }
        }
        if (blocks.isEmpty()) {
            throw new PemException(file + " is not a PEM file (no \"-----BEGIN\" block)");
        }
        return blocks;
    }

    /** A DER SEQUENCE of already-encoded elements. */
    private static byte[] wrap(byte[]... elements) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] element : elements) {
            content.writeBytes(element);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    /** Just enough of a DER reader to walk the fields of a SEQUENCE. */
    private static final class Der {
        private final byte[] bytes;
        private int position;
        private final int end;

        Der(byte[] bytes) {
            this(bytes, 0, bytes.length);
        }

        private Der(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.position = start;
            this.end = end;
        }

        boolean hasMore() {
            return position < end;
        }

        int peekTag() {
            require(1);
            return bytes[position] & 0xff;
        }

        /** The contents of the next element, which must have the given tag, to read its fields. */
        Der enter(int tag) {
            if (peekTag() != tag) {
                throw new IllegalArgumentException("expected DER tag " + tag + ", found " + peekTag());
            }
            int[] span = header();
            position = span[1];
            return new Der(bytes, span[0], span[1]);
        }

        /** Everything not read yet. */
        byte[] rest() {
            byte[] value = new byte[end - position];
            System.arraycopy(bytes, position, value, 0, value.length);
            position = end;
            return value;
        }

        /** The next element's contents, without its tag and length. */
        byte[] next() {
            int[] span = header();
            position = span[1];
            byte[] value = new byte[span[1] - span[0]];
            System.arraycopy(bytes, span[0], value, 0, value.length);
            return value;
        }

        /** Start and end of the contents of the element at the current position. */
        private int[] header() {
            int at = position + 1;
            require(2);
            int first = bytes[at++] & 0xff;
            long length = first;
            if (first >= 0x80) {
                int count = first & 0x7f;
                if (count == 0 || count > 4 || at + count > end) {
                    throw new IllegalArgumentException("bad DER length");
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (bytes[at++] & 0xff);
                }
            }
            if (at + length > end) {
                throw new IllegalArgumentException("DER element longer than its container");
            }
            return new int[] {at, (int) (at + length)};
        }

        private void require(int count) {
            if (position + count > end) {
                throw new IllegalArgumentException("DER data ends early");
            }
        }
    }
}
