package io.berth.auth.token;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.EllipticCurve;
import java.util.Map;

/** The NIST curves JOSE names (P-256, P-384, P-521), as the JDK's parameter specs. */
final class Curves {

    private static final Map<String, ECParameterSpec> BY_NAME = Map.of(
            "P-256", spec("secp256r1"), "P-384", spec("secp384r1"), "P-521", spec("secp521r1"));

    private Curves() {}

    /** The curve of a JOSE {@code crv} name, or null. */
    static ECParameterSpec named(String name) {
        return name == null ? null : BY_NAME.get(name);
    }

    /** The JOSE name of a key's curve, or null when it is none of them. */
    static String nameOf(ECParameterSpec params) {
        for (Map.Entry<String, ECParameterSpec> entry : BY_NAME.entrySet()) {
            ECParameterSpec known = entry.getValue();
            if (known.getCurve().equals(params.getCurve()) && known.getOrder().equals(params.getOrder())
                    && known.getGenerator().equals(params.getGenerator())) {
                return entry.getKey();
            }
        }
        return null;
    }

    /** The square of {@code y} for {@code x} on the curve: x³ + ax + b mod p. */
    static BigInteger ySquared(BigInteger x, ECParameterSpec params) {
        EllipticCurve curve = params.getCurve();
        BigInteger p = prime(params);
        return x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
    }

    static BigInteger prime(ECParameterSpec params) {
        return ((ECFieldFp) params.getCurve().getField()).getP();
    }

    /** Whether a point lies on the curve, with both coordinates in the field. */
    static boolean onCurve(ECPoint point, ECParameterSpec params) {
        BigInteger p = prime(params);
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        return x.signum() >= 0 && x.compareTo(p) < 0 && y.signum() >= 0 && y.compareTo(p) < 0
                && y.modPow(BigInteger.TWO, p).equals(ySquared(x, params));
    }

    private static ECParameterSpec spec(String name) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(name));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks the curve " + name, e);
        }
    }
}
