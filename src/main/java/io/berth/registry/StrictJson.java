package io.berth.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * A pull reader over a manifest's bytes that takes JSON only as Go's encoding/json (what registry
 * clients decode with) reads it the same way, and only within bounds: UTF-8 without a byte-order
 * mark, no repeated key in any object, nothing after the value, integers where integers belong,
 * at most {@link #MAX_DEPTH} levels, {@link #MAX_ENTRIES} entries in any array or object and
 * {@link #MAX_TOKENS} tokens. Nothing is built but what the caller keeps. Every refusal is a
 * {@link RegistryError.ManifestInvalid} that says what is wrong.
 */
final class StrictJson implements AutoCloseable {

    static final int MAX_DEPTH = 64;
    static final int MAX_ENTRIES = 100_000;
    static final int MAX_TOKENS = 1_000_000;

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final JsonParser parser;
    /** Entries seen so far in each open array or object, by depth; grown as deeper levels open. */
    private int[] entries = new int[8];
    /**
     * The keys of each open object inside a value being skipped, by depth, to refuse a repeated
     * one. The objects the caller reads field by field it checks itself, with {@link Keys}, which
     * costs less than a set per object (as Jackson's own detection makes for most descriptors).
     */
    private Set<String>[] keys = newSets(8);
    /** Objects this deep or deeper are inside the value being skipped. */
    private int checkKeysFrom = Integer.MAX_VALUE;
    private int depth;
    private int tokens;
    private JsonToken current;

    private StrictJson(JsonParser parser) {
        this.parser = parser;
    }

    /** A reader over {@code content}, once its encoding is checked. */
    static StrictJson over(byte[] content) {
        checkEncoding(content);
        try {
            return new StrictJson(FACTORY.createParser(content));
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON");
        }
    }

    /** The next token, or null at the end of the input. */
    JsonToken next() {
        JsonToken token;
        try {
            token = parser.nextToken();
        } catch (StreamConstraintsException e) {
            // Jackson's own limits (number, key and string lengths): its message names its classes.
            throw invalid("manifest has a number, key or string longer than this registry reads");
        } catch (JacksonException e) {
            throw invalid("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON");
        }
        if (token != null) {
            count(token);
        }
        return current = token;
    }

    private void count(JsonToken token) {
        if (++tokens > MAX_TOKENS) {
            throw invalid("manifest has more than " + MAX_TOKENS + " JSON tokens");
        }
        switch (token) {
            case FIELD_NAME -> {
                if (depth >= checkKeysFrom) {
                    key();
                }
            }
            case END_OBJECT, END_ARRAY -> depth--;
            case START_OBJECT, START_ARRAY -> {
                entry();
                if (++depth > MAX_DEPTH) {
                    throw invalid("manifest nests arrays and objects deeper than " + MAX_DEPTH + " levels");
                }
                if (depth == entries.length) {
                    entries = Arrays.copyOf(entries, entries.length * 2);
                    keys = Arrays.copyOf(keys, keys.length * 2);
                }
                entries[depth] = 0;
            }
            default -> entry();
        }
    }

    /** Records the key just read in its object, refusing it if the object has it already. */
    private void key() {
        String name = name();
        if (entries[depth] == 0) { // the object's first key
            keys[depth] = new HashSet<>();
        }
        if (!keys[depth].add(name)) {
            throw repeated(name);
        }
    }

    static RegistryException repeated(String name) {
        return invalid("manifest repeats the key \"" + shown(name) + "\" in one object; clients would not all read the same value");
    }

    /** A key as a message shows it: cut short, since a key may be as long as the manifest. */
    static String shown(String key) {
        return key.length() > 100 ? key.substring(0, 100) + "..." : key;
    }

    /**
     * The keys of one object that the caller reads field by field, so that a key twice is refused
     * at no cost: the keys it knows are bits, a set is made only for any others.
     */
    static final class Keys {
        private int known;
        private Set<String> others;

        /** Records a key the caller knows as {@code bit}, or (bit 0) any other key. */
        void add(int bit, String key) {
            if (bit != 0) {
                if ((known & bit) != 0) {
                    throw repeated(key);
                }
                known |= bit;
            } else {
                if (others == null) {
                    others = new HashSet<>();
                }
                if (!others.add(key)) {
                    throw repeated(key);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String>[] newSets(int length) {
        return (Set<String>[]) new Set<?>[length];
    }

    private void entry() {
        if (depth > 0 && ++entries[depth] > MAX_ENTRIES) {
            throw invalid("manifest has an array or object of more than " + MAX_ENTRIES + " entries");
        }
    }

    JsonToken current() {
        return current;
    }

    /** The key just read. */
    String name() {
        try {
            return parser.currentName();
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON");
        }
    }

    /**
     * The current value as a string, null for JSON null; anything else is refused as
     * "{@code field: key} must be a string" ({@code field} may be null), a message built only then.
     */
    String string(String field, String key) {
        if (current == JsonToken.VALUE_NULL) {
            return null;
        }
        if (current != JsonToken.VALUE_STRING) {
            throw invalid(what(field, key) + " must be a string");
        }
        try {
            return parser.getText();
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON");
        }
    }

    /** True when the current value is a number written as an integer (no fraction, no exponent). */
    boolean isInteger() {
        return current == JsonToken.VALUE_NUMBER_INT;
    }

    /** The current value as an integer; a fraction or an exponent is refused, as Go refuses it for an int64. */
    long integer(String field, String key) {
        try {
            if (current == JsonToken.VALUE_NUMBER_FLOAT) {
                throw invalid(what(field, key) + " must be an integer, not " + parser.getText());
            }
            if (current != JsonToken.VALUE_NUMBER_INT) {
                throw invalid(what(field, key) + " must be an integer");
            }
            return parser.getLongValue();
        } catch (InputCoercionException e) {
            throw invalid(what(field, key) + " is out of range");
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON");
        }
    }

    private static String what(String field, String key) {
        return field == null ? key : field + ": " + key;
    }

    /** Skips the current value, reading (and so checking, repeated keys included) everything in it. */
    void skip() {
        if (current == JsonToken.START_OBJECT || current == JsonToken.START_ARRAY) {
            int outer = depth - 1;
            int saved = checkKeysFrom;
            checkKeysFrom = Math.min(saved, depth);
            try {
                while (depth > outer) {
                    if (next() == null) {
                        throw invalid("manifest is not valid JSON: unexpected end of input");
                    }
                }
            } finally {
                checkKeysFrom = saved;
            }
        }
    }

    /** Checks that only whitespace follows the value just read. */
    void finish() {
        JsonToken after;
        try {
            after = parser.nextToken();
        } catch (IOException e) {
            after = JsonToken.NOT_AVAILABLE;
        }
        if (after != null) {
            throw invalid("manifest has data after its JSON object");
        }
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            // a parser over a byte array holds nothing to release
        }
    }

    /**
     * Go's decoder reads UTF-8 only and takes a byte-order mark for garbage; Jackson would detect
     * and decode UTF-16 and UTF-32, so those are refused here before it sees them.
     */
    private static void checkEncoding(byte[] content) {
        int n = content.length;
        if (n >= 3 && (content[0] & 0xFF) == 0xEF && (content[1] & 0xFF) == 0xBB && (content[2] & 0xFF) == 0xBF) {
            throw invalid("manifest starts with a byte-order mark; JSON must be UTF-8 without one");
        }
        for (int i = 0; i < Math.min(n, 4); i++) {
            // JSON text starts with ASCII, so a NUL among its first bytes means 16 or 32 bits a character.
            int b = content[i] & 0xFF;
            if (b == 0 || (i < 2 && (b == 0xFE || b == 0xFF))) {
                throw invalid("manifest is encoded in UTF-16 or UTF-32; JSON must be UTF-8");
            }
        }
        int bad = firstInvalidUtf8(content);
        if (bad >= 0) {
            throw invalid("manifest is not valid UTF-8: bad byte sequence at offset " + bad);
        }
    }

    /** The offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates), or -1. */
    static int firstInvalidUtf8(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            // Manifests are almost all ASCII: eight bytes at a time while no high bit is set.
            while (i + 8 <= n && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) {
                i += 8;
            }
            if (i >= n) {
                break;
            }
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int length = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
            if (length == 0 || i + length > n) {
                return i;
            }
            int second = b[i + 1] & 0xFF;
            int low = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
            int high = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
            if (second < low || second > high) {
                return i;
            }
            for (int k = 2; k < length; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }

    static RegistryException invalid(String message) {
        return new RegistryException(new RegistryError.ManifestInvalid(message));
    }
}
