package org.cramlab.bits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

/** The tiny golden fixtures as codec models: a fixture's weights plus a tokenizer, and text they can code. */
final class FixtureCodecs {

    static final Path GOLDEN = Path.of("src/test/resources/golden");

    private FixtureCodecs() {}

    /**
     * A model directory in {@code tmp}: the fixture's files plus its own tokenizer, or the llama-style test
     * tokenizer (300 ids; {@link #text} keeps to ids below the fixtures' 256).
     */
    static Path modelDir(String fixture, Path tmp) {
        Path dir = tmp.resolve(fixture);
        try {
            Files.createDirectories(dir);
            copyAll(GOLDEN.resolve(fixture), dir);
            if (!Files.exists(dir.resolve("tokenizer.json"))) {
                copyAll(GOLDEN.resolve("tokenizers/llama_style"), dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static void copyAll(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /**
     * {@code n} characters no merge of the test tokenizers applies to (no spaces, no vowels, none of
     * r, h, t, l, s, c), so every character is one byte-level token below id 256.
     */
    static String text(int n, long seed) {
        String alphabet = "bdfgjkmpquvwxyz0123456789_.,;-";
        Random rng = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rng.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
