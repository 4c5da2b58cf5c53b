package org.cramlab.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cramlab.core.Hashing;

/** Writes a small corpus in fetch-corpus's layout (MANIFEST.json + one paragraph per line) for tests. */
public final class TestCorpus {

    /** Public-domain sentences (Austen, Melville) the fixture books are made of. */
    public static final List<String> SENTENCES = List.of(
            "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
            "However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is so well fixed in the minds of the surrounding families.",
            "\"My dear Mr. Bennet,\" said his lady to him one day, \"have you heard that Netherfield Park is let at last?\"",
            "Mr. Bennet replied that he had not.",
            "Call me Ishmael.",
            "Some years ago, having little or no money in my purse, I thought I would sail about a little and see the watery part of the world.",
            "It is a way I have of driving off the spleen and regulating the circulation.",
            "Emma Woodhouse, handsome, clever, and rich, seemed to unite some of the best blessings of existence.",
            "She was the youngest of the two daughters of a most affectionate, indulgent father.",
            "Between them it was more the intimacy of sisters.");

    private TestCorpus() {}

    /** Writes {@code books} books of {@code paragraphs} paragraphs each into {@code dir}; returns dir. */
    public static Path write(Path dir, int books, int paragraphs) throws IOException {
        Files.createDirectories(dir);
        Random rng = new Random(7);
        StringBuilder manifest = new StringBuilder("{\"format_version\": 1, \"books\": [\n");
        for (int b = 0; b < books; b++) {
            List<String> lines = new ArrayList<>();
            for (int p = 0; p < paragraphs; p++) {
                StringBuilder para = new StringBuilder();
                int n = 1 + rng.nextInt(4);
                for (int s = 0; s < n; s++) {
                    para.append(s == 0 ? "" : " ").append(SENTENCES.get(rng.nextInt(SENTENCES.size())));
                }
                // a paragraph number makes every paragraph unique, so overlap checks are meaningful
                lines.add("(" + b + "." + p + ") " + para);
            }
            String file = "book" + b + ".txt";
            byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
            Files.write(dir.resolve(file), bytes);
            manifest.append(b == 0 ? "" : ",\n").append("{\"file\": \"").append(file).append("\", \"sha256\": \"")
                    .append(Hashing.sha256(bytes)).append("\", \"source\": \"test\", \"package\": \"test\", ")
                    .append("\"version\": \"0\", \"licence\": \"public domain\"}");
        }
        manifest.append("\n]}\n");
        Files.writeString(dir.resolve(BookCorpus.MANIFEST), manifest.toString());
        return dir;
    }
}
