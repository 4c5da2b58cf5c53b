package org.cramlab.bits;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.CramlabException;
import org.cramlab.core.Utf8;
import org.cramlab.core.Versions;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.Crammer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;

/**
 * The lossless codec: UTF-8 text to a {@link Container} and back.
 *
 * <p>compress: tokenise (refusing text the tokenizer cannot reproduce exactly), cut the tokens into
 * chunks that fit the model's positions, and per chunk cram K memory vectors on {@code [BOS; chunk]}
 * (the paper's set-up, a short optimisation), store them at the chosen {@link Precision}, and
 * arithmetic-code the chunk's tokens under the model's next-token distribution given the
 * <em>stored</em> (dequantised) memory. With K = 0 this is plain language-model coding (the
 * LLMZip / ts_zip idea). decompress: check the container and the model fingerprint, decode the
 * tokens through the same {@link CodingPass}, detokenise, and verify the original bytes' SHA-256.
 *
 * <pre>{@code
 * try (CausalLM model = Models.load(dir); Codec codec = Codec.builder(model, dir).optMem(1).build()) {
 *     byte[] cram = codec.compress(bytes).bytes();
 *     byte[] back = codec.decompress(cram, "x.cram");
 * }
 * }</pre>
 */
public final class Codec implements AutoCloseable {

    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final ModelFingerprint fingerprint;
    private final int k;
    private final Precision precision;
    private final int steps;
    private final double lr;
    private final long seed;
    private final Consumer<String> progress;

    private Codec(Builder b) {
        this.model = b.model;
        ModelInfo info = model.info();
        if (!Files.isRegularFile(b.dir.resolve("tokenizer.json"))) {
            throw new BitsException("model directory " + b.dir + " has no tokenizer.json: the codec codes text");
        }
        this.tokenizer = TextTokenizer.load(b.dir);
        this.fingerprint = ModelFingerprint.of(b.dir, info.modelId(), info.dtype(), info.device());
        this.k = b.k;
        this.precision = b.precision;
        this.steps = b.steps;
        this.lr = b.lr;
        this.seed = b.seed;
        this.progress = b.progress;
        if (k < 0) {
            throw new BitsException("--mem must be >= 0 (0: no memory), got " + k);
        }
        if (chunkCapacity() < 1) {
            throw new BitsException("K = " + k + " memory vectors leave no room for text in " + info.modelId()
                    + "'s " + info.maxPositions() + " positions");
        }
    }

    /** A codec for {@code model}, loaded from {@code dir} (its files are hashed into every container). */
    public static Builder builder(CausalLM model, Path dir) {
        return new Builder(model, dir);
    }

    /**
     * A compressed file.
     *
     * @param container the parsed container
     * @param bytes its bytes (what is written to disk)
     * @param idealTokenBits -sum log2 p of the coded tokens under the frequency tables
     */
    public record Compressed(Container container, byte[] bytes, double idealTokenBits) {
        public Container.Breakdown breakdown() {
            return container.breakdown();
        }
    }

    /** Text tokens per chunk: memory, BOS and text within the model's positions. */
    public int chunkCapacity() {
        return model.info().maxPositions() - k - (tokenizer.bosId() >= 0 ? 1 : 0);
    }

    /** Compresses UTF-8 {@code data}; refuses text that is not UTF-8 or that the tokenizer cannot round-trip. */
    public Compressed compress(byte[] data) {
        String text = utf8(data);
        int[] ids = tokenizer.encode(text, false);
        String back = tokenizer.decode(ids, false);
        if (!back.equals(text)) {
            int at = firstDifference(back, text);
            throw new BitsException("the tokenizer of " + fingerprint.modelId() + " cannot round-trip this text"
                    + " (it decodes to different text from character " + at + ": "
                    + quote(text, at) + " became " + quote(back, at) + "), so it cannot be compressed losslessly");
        }
        int vocab = model.info().vocabSize();
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new BitsException("token id " + id + " is outside " + fingerprint.modelId() + "'s vocabulary of "
                        + vocab);
            }
        }
        int bos = tokenizer.bosId();
        int d = model.info().hiddenSize();
        int cap = chunkCapacity();
        List<Container.Chunk> chunks = new ArrayList<>();
        double ideal = 0;
        int nChunks = (ids.length + cap - 1) / cap;
        for (int c = 0; c < nChunks; c++) {
            int[] chunk = Arrays.copyOfRange(ids, c * cap, Math.min(ids.length, (c + 1) * cap));
            QuantisedMemory mem = null;
            float[] stored = null;
            if (k > 0) {
                progress.accept("chunk " + (c + 1) + "/" + nChunks + ": cramming " + chunk.length + " tokens into "
                        + k + " vector(s)");
                mem = QuantisedMemory.quantise(cram(chunk, bos, c), k, d, precision);
                stored = mem.dequantise();
            }
            progress.accept("chunk " + (c + 1) + "/" + nChunks + ": coding " + chunk.length + " tokens");
            ArithmeticCoder.Encoder enc = new ArithmeticCoder.Encoder();
            double[] bits = {0};
            CodingPass.run(model, stored, k, bos, chunk.length, (i, table) -> {
                enc.encode(table, chunk[i]);
                bits[0] += table.bits(chunk[i]);
                return chunk[i];
            });
            ideal += bits[0];
            chunks.add(new Container.Chunk(chunk.length, mem, enc.finish()));
        }
        Container.Header h = new Container.Header(fingerprint, version(), d, vocab, k, precision, bos, data.length,
                sha256(data), ids.length);
        Container container = new Container(h, chunks);
        return new Compressed(container, container.write(), ideal);
    }

    /** Decompresses a container; {@code name} names it in errors. Never returns text whose checksum differs. */
    public byte[] decompress(byte[] data, String name) {
        Container container = Container.read(data, name);
        Container.Header h = container.header();
        if (!Arrays.equals(h.model().sha256(), 0, Container.HASH_BYTES, fingerprint.sha256(), 0, Container.HASH_BYTES)) {
            throw new BitsException(name + " was compressed with model '" + h.model().modelId() + "' (files sha256 "
                    + Container.hex(h.model().sha256()) + "...), not with the loaded model '" + fingerprint.modelId()
                    + "' (" + Container.hex(fingerprint.sha256()) + "...): pass --model with the model it was made with");
        }
        if (!h.model().compute().equals(fingerprint.compute())) {
            throw new BitsException(name + " was compressed with weights in " + h.model().compute()
                    + " but the model is loaded in " + fingerprint.compute()
                    + ": the logits must be computed the same way (use the same --dtype and --device)");
        }
        if (h.d() != model.info().hiddenSize() || h.vocab() != model.info().vocabSize()) {
            throw new BitsException(name + ": d " + h.d() + " and vocabulary " + h.vocab() + " do not match the model's "
                    + model.info().hiddenSize() + " and " + model.info().vocabSize());
        }
        int[] ids = new int[h.tokens()];
        int at = 0;
        int c = 0;
        for (Container.Chunk chunk : container.chunks()) {
            progress.accept("chunk " + (++c) + "/" + container.chunks().size() + ": decoding " + chunk.tokens()
                    + " tokens");
            ArithmeticCoder.Decoder dec = new ArithmeticCoder.Decoder(chunk.coded());
            int[] got = CodingPass.run(model, chunk.memory() == null ? null : chunk.memory().dequantise(), h.k(),
                    h.bos(), chunk.tokens(), (i, table) -> dec.decode(table));
            System.arraycopy(got, 0, ids, at, got.length);
            at += got.length;
        }
        byte[] out = tokenizer.decode(ids, false).getBytes(StandardCharsets.UTF_8);
        if (out.length != h.originalBytes()
                || !Arrays.equals(sha256(out), 0, Container.HASH_BYTES, h.sha256(), 0, Container.HASH_BYTES)) {
            throw new BitsException(name + ": the decoded text does not match the original's SHA-256 (" + out.length
                    + " bytes decoded, " + h.originalBytes() + " expected). The logits differed from the compressing"
                    + " run's: it used cramlab " + h.cramlabVersion() + " with " + h.model().compute()
                    + "; this is cramlab " + version() + " with " + fingerprint.compute()
                    + " (the same build, device, dtype and thread count are needed)");
        }
        return out;
    }

    /** Crams {@code [BOS; chunk]} (or the chunk alone without BOS) into K vectors; the best memory found. */
    private float[] cram(int[] chunk, int bos, int index) {
        int[] target = bos >= 0 ? prepend(bos, chunk) : chunk;
        if (target.length < 2) {
            return new float[k * model.info().hiddenSize()]; // nothing to learn: a zero memory
        }
        CramSettings settings = CramSettings.builder().optMaxSteps(steps).optPatience(steps).optLr(lr)
                .optSeed(seed + index).optGreedyCheck(false).optBatchSize(1).build();
        return new Crammer(model, settings).run(CramTask.ofIds(target, k)).bestMemory();
    }

    static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static String utf8(byte[] data) {
        try {
            return Utf8.decode(data, "input");
        } catch (CramlabException e) {
            throw new BitsException(e.getMessage(), e); // names the byte offset
        }
    }

    private static int firstDifference(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return i;
            }
        }
        return n;
    }

    private static String quote(String s, int at) {
        String part = s.substring(Math.max(0, at - 10), Math.min(s.length(), at + 10));
        return "\"" + part.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** cramlab's version (as every run records it; "dev" when run from classes). */
    public static String version() {
        return Versions.all().get("cramlab");
    }

    /** The fingerprint written into containers. */
    public ModelFingerprint fingerprint() {
        return fingerprint;
    }

    /** The model's tokenizer (owned by the codec). */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Options; defaults: K = 1, int8, 300 cramming steps at the paper's lr 1e-2, seed 0. */
    public static final class Builder {
        private final CausalLM model;
        private final Path dir;
        private int k = 1;
        private Precision precision = Precision.uniform(8);
        private int steps = 300;
        private double lr = 1e-2;
        private long seed = 0;
        private Consumer<String> progress = s -> {};

        private Builder(CausalLM model, Path dir) {
            this.model = model;
            this.dir = dir;
        }

        /** Memory vectors per chunk; 0 codes with the model alone. */
        public Builder optMem(int k) {
            this.k = k;
            return this;
        }

        public Builder optPrecision(Precision precision) {
            this.precision = precision;
            return this;
        }

        /** Cramming steps per chunk (AdamW, the paper's other settings). */
        public Builder optSteps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder optLr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Receives a status line per stage (chunk cramming, coding, decoding). */
        public Builder optProgress(Consumer<String> progress) {
            this.progress = progress;
            return this;
        }

        public Codec build() {
            return new Codec(this);
        }
    }
}
