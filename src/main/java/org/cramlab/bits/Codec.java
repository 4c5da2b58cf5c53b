package org.cramlab.bits;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.core.CramlabException;
import org.cramlab.core.Progress;
import org.cramlab.core.Utf8;
import org.cramlab.core.Versions;
import org.cramlab.cram.CramResult;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.CramTask;
import org.cramlab.cram.Crammer;
import org.cramlab.cram.RunListener;
import org.cramlab.cram.RunRecord;
import org.cramlab.model.AttentionPath;
import org.cramlab.model.BlasThreads;
import org.cramlab.model.CausalLM;
import org.cramlab.model.ModelInfo;
import org.cramlab.model.TorchThreads;

/**
 * The lossless codec: UTF-8 text to a {@link Container} and back.
 *
 * <p>compress: tokenise (refusing text the tokenizer cannot reproduce exactly), cut the tokens into
 * chunks that fit the model's positions (at most {@link #MAX_CHUNK_TOKENS}), and per chunk decide whether
 * a memory pays ({@link MemoryDecision}; or a forced K): cram K memory vectors on {@code [BOS; chunk]}
 * (the paper's set-up, a short optimisation), store them at the chosen {@link Precision}, and
 * arithmetic-code the chunk's tokens under the model's next-token distribution given the
 * <em>stored</em> (dequantised) memory, or no memory (plain language-model coding, the LLMZip / ts_zip
 * idea). The finished container is parsed back and decoded before it is returned, so a container that
 * does not invert is an error, never an output. The container records the coding path
 * ({@link CodingPath}: attention kernel, fused module, threads). decompress: check the container, the
 * model fingerprint and the coding path up front, decode the tokens through the same {@link CodingPass}
 * with the recorded thread count, detokenise, and verify the original bytes' SHA-256.
 *
 * <pre>{@code
 * try (CausalLM model = Models.load(dir); Codec codec = Codec.builder(model, dir).optMem(1).build()) {
 *     byte[] cram = codec.compress(bytes).bytes();
 *     byte[] back = codec.decompress(cram, "x.cram");
 * }
 * }</pre>
 */
public final class Codec implements AutoCloseable {

    /**
     * Longest chunk in tokens, whatever the model's positions (Mamba has no limit): a memory is crammed
     * per chunk, and a chunk count must stay an int.
     */
    public static final int MAX_CHUNK_TOKENS = 2048;

    /** Tokens of the probe that measures a memory's information gain ({@link MemoryDecision}). */
    static final int PROBE_TOKENS = 64;

    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final ModelFingerprint fingerprint;
    private final int k;
    private final Precision precision;
    private final int steps;
    private final double lr;
    private final long seed;
    private final boolean auto;
    private final Progress.Sink progress;

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
        this.auto = b.auto;
        if (k < 0) {
            throw new BitsException("--mem must be >= 0 (0: no memory), got " + k);
        }
        if (capacity(k) < 1) {
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
     * @param decisions per chunk, whether it carries a memory and why
     */
    public record Compressed(Container container, byte[] bytes, double idealTokenBits, List<ChunkDecision> decisions) {
        public Container.Breakdown breakdown() {
            return container.breakdown();
        }
    }

    /**
     * What one chunk carries.
     *
     * @param index 0-based chunk number
     * @param tokens its tokens
     * @param memoryVectors memory vectors it carries (0: coded by the model alone)
     * @param reason why (the forced K, or {@link MemoryDecision}'s verdict)
     */
    public record ChunkDecision(int index, int tokens, int memoryVectors, String reason) {}

    /**
     * Text tokens per chunk: memory, BOS and text within the model's positions, at most {@link #MAX_CHUNK_TOKENS}.
     * Under {@code --mem auto} this is the model-alone chunk; a chunk that keeps a memory is K tokens shorter.
     */
    public int chunkCapacity() {
        return capacity(auto ? 0 : k);
    }

    private int capacity(int memoryVectors) {
        long room = (long) model.info().maxPositions() - memoryVectors - (tokenizer.bosId() >= 0 ? 1 : 0);
        return (int) Math.min(room, MAX_CHUNK_TOKENS);
    }

    /** Compresses UTF-8 {@code data}; refuses text that is not UTF-8 or that the tokenizer cannot round-trip. */
    public Compressed compress(byte[] data) {
        int[] ids = tokens(data);
        int bos = tokenizer.bosId();
        int cap = chunkCapacity();
        List<Container.Chunk> chunks = new ArrayList<>();
        List<ChunkDecision> decisions = new ArrayList<>();
        double ideal = 0;
        int maxKeys = 0;
        MemoryDecision decide = new MemoryDecision(k, QuantisedMemory.payloadBytes(precision, Math.max(k, 1),
                model.info().hiddenSize()));
        // coding and the decode check each count one unit per token
        try (Progress p = Progress.start("compress", 2 * ids.length, progress)) {
            for (int at = 0, c = 0; at < ids.length; c++) {
                int[] chunk = Arrays.copyOfRange(ids, at, Math.min(ids.length, at + cap));
                String where = "chunk " + (c + 1) + "/" + (c + 1 + (ids.length - at - chunk.length + cap - 1) / cap);
                Coded chosen;
                String reason;
                if (k == 0) {
                    chosen = code(chunk, null, bos, p, at, where);
                    reason = "--mem 0: the model alone";
                } else if (!auto) {
                    chosen = crammed(chunk, bos, c, p, at, where);
                    reason = "K = " + k + " forced by --mem";
                } else {
                    chosen = code(chunk, null, bos, p, at, where + " model alone");
                    int[] text = chunk;
                    reason = decide.before(chosen.bits(), () -> probeGainBits(text, bos, p, where));
                    if (reason == null) {
                        // the memory takes K positions: this chunk is K tokens shorter when it keeps one
                        int[] shorter = Arrays.copyOf(chunk, Math.min(chunk.length, capacity(k)));
                        Coded with = crammed(shorter, bos, c, p, at, where);
                        Coded alone = shorter.length == chunk.length ? chosen
                                : code(shorter, null, bos, p, at, where + " model alone");
                        reason = decide.after(with.bytes(), alone.bytes());
                        if (with.bytes() < alone.bytes()) {
                            chosen = with;
                            chunk = shorter;
                        }
                    }
                }
                p.update(at + chunk.length, where);
                int kc = chosen.memory() == null ? 0 : k;
                decisions.add(new ChunkDecision(c, chunk.length, kc, reason));
                maxKeys = Math.max(maxKeys, kc + (bos >= 0 ? 1 : 0) + chunk.length - 1);
                ideal += chosen.idealBits();
                chunks.add(new Container.Chunk(chunk.length, chosen.memory(), chosen.coded()));
                at += chunk.length;
            }
            Container.Header h = new Container.Header(fingerprint, version(), model.info().hiddenSize(),
                    model.info().vocabSize(), k, precision, bos, data.length, sha256(data), ids.length,
                    CodingPath.of(model, maxKeys));
            byte[] bytes = new Container(h, chunks).write();
            // never hand out a container this decoder cannot invert: parse the bytes and decode them back
            Container written = Container.read(bytes, "the new container");
            int[] back = decodeTokens(written, p, ids.length);
            if (!Arrays.equals(back, ids)) {
                throw new BitsException("the decode check of the new container failed at token "
                        + Arrays.mismatch(back, ids) + " of " + ids.length + ": the model's logits were not reproducible"
                        + " in this run (" + written.header().path().describe() + "); nothing was written");
            }
            return new Compressed(written, bytes, ideal, decisions);
        }
    }

    /** The hint for a container from before the BLAS was recorded: those were written under MKL, the default then. */
    private static final String UNRECORDED_BLAS = "; written before OpenBLAS was the launchers' default, it decodes under"
            + " libtorch's MKL: CRAMLAB_BLAS=mkl environment/cramlab decompress ...";

    /** Decompresses a container; {@code name} names it in errors. Never returns text whose checksum differs. */
    public byte[] decompress(byte[] data, String name) {
        Container container = Container.read(data, name);
        Container.Header h = container.header();
        checkDecodable(h, name);
        int[] ids;
        try (Progress p = Progress.start("decompress", h.tokens(), progress)) {
            ids = decodeTokens(container, p, 0);
        }
        byte[] out = tokenizer.decode(ids, false).getBytes(StandardCharsets.UTF_8);
        if (out.length != h.originalBytes()
                || !Arrays.equals(sha256(out), 0, Container.HASH_BYTES, h.sha256(), 0, Container.HASH_BYTES)) {
            throw new BitsException(name + ": the decoded text does not match the original's SHA-256 (" + out.length
                    + " bytes decoded, " + h.originalBytes() + " expected). The logits differed from the compressing"
                    + " run's: it used cramlab " + h.cramlabVersion() + " with " + h.model().compute()
                    + (h.path() == null ? " (a version-1 container: attention path, threads and BLAS not recorded;"
                            + " try CRAMLAB_ATTENTION=explicit or fused" + UNRECORDED_BLAS + ")"
                            : ", " + h.path().describe() + (h.path().blas() == null
                                    ? " (a version-2 container: BLAS not recorded" + UNRECORDED_BLAS + ")" : ""))
                    + "; this is cramlab " + version() + " with "
                    + fingerprint.compute() + ", " + CodingPath.of(model, maxKeys(container)).describe());
        }
        return out;
    }

    /** Refuses, before any decoding, a container whose model, dtype, device or BLAS differ from ours. */
    private void checkDecodable(Container.Header h, String name) {
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
        String blas = h.path() == null ? null : h.path().blasMismatch(BlasThreads.shortName());
        if (blas != null) {
            throw new BitsException("cannot decode " + name + ": " + blas);
        }
        if (h.d() != model.info().hiddenSize() || h.vocab() != model.info().vocabSize()) {
            throw new BitsException(name + ": d " + h.d() + " and vocabulary " + h.vocab() + " do not match the model's "
                    + model.info().hiddenSize() + " and " + model.info().vocabSize());
        }
    }

    /**
     * Decodes every chunk of a container (after {@link #checkDecodable}) with the recorded PyTorch thread count;
     * {@code done} units of {@code p} are already finished.
     */
    private int[] decodeTokens(Container container, Progress p, int done) {
        Container.Header h = container.header();
        if (h.path() != null) {
            String differs = h.path().attentionMismatch(CodingPath.of(model, maxKeys(container)));
            if (differs != null) {
                throw new BitsException("cannot decode: " + differs);
            }
            if (h.path().fusedModule() != null && AttentionPath.fusedUnavailable() != null) {
                throw new BitsException("cannot decode: it was coded with the fused attention module, which this"
                        + " cramlab cannot load (" + AttentionPath.fusedUnavailable() + ")");
            }
        }
        int before = h.path() == null || h.path().threads() == 0 ? 0 : TorchThreads.set(h.path().threads());
        try {
            int[] ids = new int[h.tokens()];
            int at = 0;
            List<Container.Chunk> chunks = container.chunks();
            for (int c = 0; c < chunks.size(); c++) {
                Container.Chunk chunk = chunks.get(c);
                String where = "chunk " + (c + 1) + "/" + chunks.size() + " decoding";
                ArithmeticCoder.Decoder dec = new ArithmeticCoder.Decoder(chunk.coded());
                QuantisedMemory mem = chunk.memory();
                int first = done + at;
                int[] got = CodingPass.run(model, mem == null ? null : mem.dequantise(),
                        mem == null ? 0 : mem.k(), h.bos(), chunk.tokens(), (i, table) -> {
                            p.update(first + i, where);
                            return dec.decode(table);
                        });
                System.arraycopy(got, 0, ids, at, got.length);
                at += got.length;
                p.update(done + at, where);
            }
            return ids;
        } finally {
            if (before > 0) {
                TorchThreads.set(before);
            }
        }
    }

    /** The most positions one call of the container's coding pass sees (what AUTO's choice depends on). */
    private static int maxKeys(Container container) {
        int bos = container.header().bos() >= 0 ? 1 : 0;
        return container.chunks().stream()
                .mapToInt(c -> (c.memory() == null ? 0 : c.memory().k()) + bos + c.tokens() - 1).max().orElse(0);
    }

    /** A chunk's coded tokens with or without a memory. */
    private record Coded(QuantisedMemory memory, byte[] coded, double idealBits) {
        /** Bits the chunk takes in the container (memory and coded tokens). */
        long bits() {
            return 8L * bytes();
        }

        int bytes() {
            return coded.length + (memory == null ? 0 : memory.payload().length);
        }
    }

    /** Codes a chunk, showing units {@code base + i} on {@code p} (a chunk counts once however often it is coded). */
    private Coded code(int[] chunk, QuantisedMemory mem, int bos, Progress p, int base, String where) {
        ArithmeticCoder.Encoder enc = new ArithmeticCoder.Encoder();
        double[] bits = {0};
        CodingPass.run(model, mem == null ? null : mem.dequantise(), mem == null ? 0 : mem.k(), bos, chunk.length,
                (i, table) -> {
                    p.update(base + i, where);
                    enc.encode(table, chunk[i]);
                    bits[0] += table.bits(chunk[i]);
                    return chunk[i];
                });
        return new Coded(mem, enc.finish(), bits[0]);
    }

    /** The text's token ids; refuses bytes that are not UTF-8 or that the tokenizer does not decode back exactly. */
    private int[] tokens(byte[] data) {
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
        return ids;
    }

    /**
     * Crams {@code [BOS; chunk]} (or the chunk alone without BOS) into K vectors and codes the chunk given the
     * stored (quantised) best memory.
     */
    private Coded crammed(int[] chunk, int bos, int index, Progress p, int base, String where) {
        int[] target = bos >= 0 ? prepend(bos, chunk) : chunk;
        int d = model.info().hiddenSize();
        float[] best = target.length < 2 ? new float[k * d] // nothing to learn: a zero memory
                : cramRun(target, index, p, where + " cramming").bestMemory();
        return code(chunk, QuantisedMemory.quantise(best, k, d, precision), bos, p, base, where + " with memory");
    }

    private CramResult cramRun(int[] target, long seedOffset, Progress p, String what) {
        CramSettings settings = CramSettings.builder().optMaxSteps(steps).optPatience(steps).optLr(lr)
                .optSeed(seed + seedOffset).optGreedyCheck(false).optBatchSize(1).build();
        return new Crammer(model, settings).run(CramTask.ofIds(target, k), new RunListener() {
            @Override
            public void onStep(RunListener.Step s) {
                p.workingThrottled(() -> what + " step " + s.step() + "/" + steps);
            }
        });
    }

    /**
     * The information gain (bits) of K vectors on a probe: the first {@link #PROBE_TOKENS} tokens of the first
     * chunk that is worth probing, crammed with the codec's settings. A vector holds about as much whatever
     * the text's length (the paper's finding: capacity is set by information gain), so this bounds what a
     * memory can save on any chunk; a probe solved outright bounds nothing (infinity).
     */
    private double probeGainBits(int[] chunk, int bos, Progress p, String where) {
        int[] head = Arrays.copyOf(chunk, Math.min(Math.min(chunk.length, PROBE_TOKENS), capacity(k)));
        int[] target = bos >= 0 ? prepend(bos, head) : head;
        if (target.length < 2) {
            return 0;
        }
        RunRecord.Metrics m = cramRun(target, -1, p, where + " probing what a memory holds").record().metrics();
        return m.bestAccuracy() >= 1.0 ? Double.POSITIVE_INFINITY : m.informationGainBits();
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

    /** Options; defaults: automatic memory (K = 1 where it pays), int8, 300 cramming steps at the paper's lr 1e-2, seed 0. */
    public static final class Builder {
        private final CausalLM model;
        private final Path dir;
        private int k = 1;
        private boolean auto = true;
        private Precision precision = Precision.uniform(8);
        private int steps = 300;
        private double lr = 1e-2;
        private long seed = 0;
        private Progress.Sink progress = (state, last) -> {};

        private Builder(CausalLM model, Path dir) {
            this.model = model;
            this.dir = dir;
        }

        /** Memory vectors in every chunk (forced); 0 codes with the model alone. */
        public Builder optMem(int k) {
            this.k = k;
            this.auto = false;
            return this;
        }

        /**
         * The default: per chunk, one memory vector where it can pay for its bits, none elsewhere
         * ({@link MemoryDecision}).
         */
        public Builder optAutoMem() {
            this.k = 1;
            this.auto = true;
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

        /** Shows progress (tokens coded and checked, the chunk and stage, cramming steps, an ETA). */
        public Builder optProgress(Progress.Sink progress) {
            this.progress = progress;
            return this;
        }

        public Codec build() {
            return new Codec(this);
        }
    }
}
