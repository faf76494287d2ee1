package io.berth.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate authority made for one test, and the server and client certificates it signs,
 * written as PEM files the way operators get them from OpenSSL, and as SSL contexts for the JDK's
 * HTTP client.
 */
public final class TestCertificates {

    /**
     * How a private key is written: PKCS#8; OpenSSL's traditional forms, PKCS#1 for RSA and SEC 1
     * naming its curve for EC; or SEC 1 without the curve, as some tools write it.
     */
    public enum KeyForm { PKCS8, TRADITIONAL, SEC1_WITHOUT_CURVE }

    /** A certificate with its key pair, and the PEM files holding them. */
    public record Issued(X509Certificate certificate, KeyPair keys, Path certificateFile, Path keyFile) {}

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final String algorithm;
    private final Issued ca;

    private TestCertificates(Path dir, String algorithm, Issued ca) {
        this.dir = dir;
        this.algorithm = algorithm;
        this.ca = ca;
    }

    /** A new CA whose keys, and those of what it signs, are {@code RSA} or {@code EC} (P-256). */
    public static TestCertificates authority(Path dir, String algorithm, String name) throws Exception {
        Files.createDirectories(dir);
        KeyPair keys = keyPair(algorithm);
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder builder = builder(subject, subject, keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate certificate = sign(builder, algorithm, keys);
        Path file = dir.resolve(name.replace(' ', '-') + ".pem");
        writePem(file, certificate);
        return new TestCertificates(dir, algorithm, new Issued(certificate, keys, file, null));
    }

    public Path caFile() {
        return ca.certificateFile();
    }

    /** A server certificate for 127.0.0.1 and localhost; the certificate file holds the chain, leaf first. */
    public Issued server(KeyForm form) throws Exception {
        KeyPair keys = keyPair(algorithm);
        X509v3CertificateBuilder builder = builder(name(ca.certificate()), new X500Name("CN=localhost"), keys);
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return issue("server", sign(builder, algorithm, ca.keys()), keys, form);
    }

    /** A client certificate for {@code name}. */
    public Issued client(String name) throws Exception {
        KeyPair keys = keyPair(algorithm);
        X509v3CertificateBuilder builder = builder(name(ca.certificate()), new X500Name("CN=" + name), keys);
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        return issue("client-" + name, sign(builder, algorithm, ca.keys()), keys, KeyForm.PKCS8);
    }

    /** An SSL context that trusts this CA and, when {@code client} is not null, presents that certificate (of any CA). */
    public SSLContext clientContext(Issued client) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        KeyManager[] keyManagers = null;
        if (client != null) {
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            own.setKeyEntry("client", client.keys().getPrivate(), "test".toCharArray(), new Certificate[] {client.certificate()});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(own, "test".toCharArray());
            keyManagers = keys.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, trust.getTrustManagers(), null);
        return context;
    }

    private Issued issue(String name, X509Certificate certificate, KeyPair keys, KeyForm form) throws IOException {
        String unique = name + "-" + certificate.getSerialNumber();
        Path certificateFile = dir.resolve(unique + ".crt");
        Path keyFile = dir.resolve(unique + ".key");
        writePem(certificateFile, certificate, ca.certificate());
        try (JcaPEMWriter pem = new JcaPEMWriter(Files.newBufferedWriter(keyFile))) {
            pem.writeObject(switch (form) {
                case PKCS8 -> new JcaPKCS8Generator(keys.getPrivate(), null);
                case TRADITIONAL -> keys.getPrivate() instanceof ECPrivateKey ec ? sec1WithCurve(ec, keys) : keys.getPrivate();
                // Bouncy Castle's own choice for a JDK EC key: SEC 1 with the curve left out.
                case SEC1_WITHOUT_CURVE -> keys.getPrivate();
            });
        }
        return new Issued(certificate, keys, certificateFile, keyFile);
    }

    /** {@code openssl ec} output: SEC 1 with the named curve in its {@code [0]} field and the public key. */
    private static PemObject sec1WithCurve(ECPrivateKey key, KeyPair keys) throws IOException {
        SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        ASN1Encodable curve = publicKey.getAlgorithm().getParameters();
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                key.getParams().getOrder().bitLength(), key.getS(), publicKey.getPublicKeyData(), curve);
        return new PemObject("EC PRIVATE KEY", sec1.getEncoded());
    }

    private static void writePem(Path file, Object... objects) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                pem.writeObject(object);
            }
        }
    }

    private static X500Name name(X509Certificate certificate) {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    }

    private static KeyPair keyPair(String algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, String algorithm, KeyPair issuer) throws Exception {
        String signature = algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(signature).build(issuer.getPrivate())));
    }
}
