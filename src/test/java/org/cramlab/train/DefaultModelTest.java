package org.cramlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.TestCorpus;
import org.cramlab.text.TextSample;
import org.cramlab.text.TextSets;
import org.cramlab.text.WordList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed default model: where it is found, that it loads, and that it prefers prose to random words. */
class DefaultModelTest {

    @Test
    void runningFromTheRepositoryUsesTheSourceFolder() throws Exception {
        Path dir = DefaultModel.directory();
        assertTrue(dir.endsWith(Path.of("src/main/resources/cramlab/default-model")), dir.toString());
        long bytes = 0;
        for (String f : DefaultModel.FILES) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), "missing " + f);
            bytes += Files.size(dir.resolve(f));
        }
        assertTrue(bytes <= 25L << 20, "default model is " + bytes + " bytes, the limit is 25 MB");
    }

    @Test
    void fromAJarTheModelIsExtractedOnceIntoCramlabHome(@TempDir Path tmp) throws Exception {
        Path jar = tmp.resolve("model.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String f : DefaultModel.FILES) {
                out.putNextEntry(new JarEntry(DefaultModel.RESOURCE + f));
                out.write(("content of " + f).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        String before = System.getProperty("cramlab.home");
        System.setProperty("cramlab.home", tmp.resolve("home").toString());
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Path dir = DefaultModel.directory(loader);
            assertTrue(dir.getFileName().toString().matches("default-model-[0-9a-f]{12}"), dir.toString());
            assertEquals(tmp.resolve("home"), dir.getParent());
            assertEquals("content of words.txt", Files.readString(dir.resolve("words.txt")));
            long modified = Files.getLastModifiedTime(dir.resolve("config.json")).toMillis();
            assertEquals(dir, DefaultModel.directory(loader)); // second call reuses the extraction
            assertEquals(modified, Files.getLastModifiedTime(dir.resolve("config.json")).toMillis());
        } finally {
            if (before == null) {
                System.clearProperty("cramlab.home");
            } else {
                System.setProperty("cramlab.home", before);
            }
        }
    }

    @Test
    void loadsAsALlamaWhoseTokenizerRoundTrips() {
        Path dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir)) {
            assertEquals("llama", model.info().modelType());
            assertEquals(1024, model.info().maxPositions());
            assertEquals(tok.vocabSize(), model.info().vocabSize());
            assertTrue(tok.addsBos());
            for (String s : TestCorpus.SENTENCES) {
                assertEquals(s, tok.decode(tok.encode(s), true));
            }
        }
    }

    /**
     * Token ids, loss and last-position logits of the committed model as Hugging Face transformers
     * 5.12 (torch 2.14, float32) computes them: {@code AutoTokenizer.from_pretrained(dir)},
     * {@code LlamaForCausalLM.from_pretrained(dir)}, {@code model(ids, labels=ids)}. Regenerate when
     * the default model is retrained
     * ({@code src/test/python/default_model_reference.py} in the sid tree prints these values).
     */
    @Test
    void matchesTransformersOnTheCommittedModel() {
        String text = "It is a truth universally acknowledged, that a single man in possession of a good fortune, "
                + "must be in want of a wife.";
        int[] hfIds = {0, 1415, 359, 260, 1985, 463, 107, 1192, 552, 260, 446, 469, 719, 775, 46, 329, 260, 1996, 292,
                454, 289, 939, 2046, 282, 260, 590, 1932, 46, 504, 294, 289, 823, 282, 260, 1532, 48};
        double hfLoss = 3.264620780944824;
        float[] hfLast = {-0.036465686f, -7.0720639f, -6.9865713f, -7.1315994f, -7.0893345f, -7.0539784f};
        Path dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir);
                NDManager m = NDManager.newBaseManager()) {
            int[] ids = tok.encode(text);
            assertArrayEquals(hfIds, ids);
            NDArray x = m.create(Arrays.stream(ids).asLongStream().toArray(), new Shape(1, ids.length));
            NDArray logits = model.forward(model.embed(x), null);
            // float32 on both sides, different kernels: 1e-4 on the loss, 1e-3 on logits of size ~10
            assertEquals(hfLoss, LmLoss.mean(logits, x).getFloat(), 1e-4);
            float[] last = Arrays.copyOf(logits.get("0, -1, :").toFloatArray(), hfLast.length);
            assertArrayEquals(hfLast, last, 1e-3f);
        }
    }

    @Test
    void proseIsMorePredictableThanRandomWords() {
        Path dir = DefaultModel.directory();
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir);
                NDManager m = NDManager.newBaseManager()) {
            int[] prose = tok.encode(String.join(" ", TestCorpus.SENTENCES), true, 128);
            TextSample random = TextSets.randomWords(WordList.read(dir.resolve(WordList.FILE)), tok, 128, 1, 3).get(0);
            double proseCe = ce(model, m, prose);
            double randomCe = ce(model, m, random.tokenIds());
            assertTrue(randomCe > proseCe + 1.0, "prose CE " + proseCe + " vs random-word CE " + randomCe);
        }
    }

    private static double ce(CausalLM model, NDManager m, int[] ids) {
        try (NDManager sub = m.newSubManager()) {
            NDArray x = sub.create(Arrays.stream(ids).asLongStream().toArray(), new Shape(1, ids.length));
            return LmLoss.mean(model.forward(model.embed(x), null), x).getFloat();
        }
    }
}
