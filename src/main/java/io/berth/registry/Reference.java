package io.berth.registry;

/** What a manifest URL names: a tag, or a digest. */
public sealed interface Reference permits Tag, Digest {

    /** A reference with a colon is a digest ({@link RegistryError.DigestInvalid} if malformed), anything else a tag. */
    static Reference parse(String text) {
        return text != null && text.indexOf(':') >= 0 ? Digest.parse(text) : new Tag(text);
    }
}
