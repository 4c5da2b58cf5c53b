package org.cramlab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.BookCorpus;
import org.cramlab.core.CramlabHome;
import org.cramlab.text.TextException;
import org.cramlab.text.WordList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cramlab train-default}: trains cramlab's default model from scratch on the book corpus's
 * training split: a byte-level BPE ({@link BpeTrainer}), then a small Llama (same code as real Llama
 * checkpoints, loaded through {@code Models.load}) with AdamW, warmup + cosine learning rate, global
 * gradient-norm clipping and every {@code --long-every}-th step at long sequence length so positions
 * up to {@code --max-positions} are trained. Checkpoints go to {@code --work} every
 * {@code --checkpoint-every} steps and a rerun with the same options resumes there (the Adam moments
 * restart, the batches and the schedule continue exactly). At the end the Hugging Face model
 * directory is written to {@code --out}, evaluated with {@link DefaultModelEval}, and described in a
 * model card ({@code README.md}).
 */
@Command(name = "train-default", mixinStandardHelpOptions = true,
        description = "Train cramlab's default model (BPE tokenizer + small Llama) on the book corpus.")
public final class TrainDefaultModel implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--work", paramLabel = "DIR",
            description = "Checkpoint directory (default: <out>.work); a rerun resumes from it.")
    Path work;

    @Option(names = "--corpus", paramLabel = "DIR", description = "Corpus directory (default: $CRAMLAB_HOME/corpus).")
    Path corpus;

    @Option(names = "--steps", defaultValue = "2000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for init and batches (default: ${DEFAULT-VALUE}).")
    long seed;

    // 2048 rather than 4096: with ~1.4 M training tokens and ~2 M weights, fewer, more frequent tokens
    // learn better per parameter, and per token more of the entropy is predictable from context
    // (n-gram CE / unigram entropy on the held-out text: bigram 0.72 and trigram 0.66 at 2048 tokens,
    // 0.76 and 0.73 at 4096), which is the spread the capacity-vs-entropy experiments need.
    @Option(names = "--vocab-size", defaultValue = "2048", description = "BPE vocabulary (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--hidden", defaultValue = "256", description = "Model width (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "4", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Query heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "2", description = "Key/value heads (default: ${DEFAULT-VALUE}).")
    int kvHeads;

    @Option(names = "--intermediate", defaultValue = "704", description = "SwiGLU width (default: ${DEFAULT-VALUE}).")
    int intermediate;

    @Option(names = "--max-positions", defaultValue = "1024",
            description = "max_position_embeddings (default: ${DEFAULT-VALUE}).")
    int maxPositions;

    @Option(names = "--seq-len", defaultValue = "256", description = "Training sequence length (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--long-seq-len", defaultValue = "1024",
            description = "Sequence length of every --long-every-th step (default: ${DEFAULT-VALUE}).")
    int longSeqLen;

    @Option(names = "--long-every", defaultValue = "8", paramLabel = "K",
            description = "Every K-th step uses rows of --long-seq-len (default: ${DEFAULT-VALUE}).")
    int longEvery;

    @Option(names = "--batch-tokens", defaultValue = "4096",
            description = "Tokens per batch; rows = batch-tokens / seq-len (default: ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--min-lr-ratio", defaultValue = "0.1",
            description = "Final learning rate as a fraction of the peak (default: ${DEFAULT-VALUE}).")
    float minLrRatio;

    @Option(names = "--warmup", defaultValue = "100", description = "Warmup steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--weight-decay", defaultValue = "0.1",
            description = "AdamW weight decay of matrices; norms get none (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--grad-clip", defaultValue = "1.0", description = "Global gradient-norm clip (default: ${DEFAULT-VALUE}).")
    float gradClip;

    @Option(names = "--checkpoint-every", defaultValue = "50",
            description = "Checkpoint interval in steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--log-every", defaultValue = "10", description = "Progress line interval (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--stop-after", defaultValue = "2147483647", paramLabel = "N",
            description = "Stop this run after N steps with a checkpoint; the same command resumes.")
    int stopAfter;

    @Option(names = "--write-partial",
            description = "When stopping before --steps, still write, evaluate and describe the model (the card says so).")
    boolean writePartial;

    @Option(names = "--skip-eval", description = "Do not evaluate or write the model card.")
    boolean skipEval;

    @Option(names = "--threads", defaultValue = "1",
            description = "PyTorch intra-op threads unless -Dai.djl.pytorch.num_threads is given (default: ${DEFAULT-VALUE}).")
    int threads;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    @Override
    public Integer call() {
        org.cramlab.model.TorchThreads.configure(threads);
        Path corpusDir = corpus != null ? corpus : CramlabHome.corpusDir();
        Path workDir = work != null ? work : out.resolveSibling(out.getFileName() + ".work");
        long t0 = System.nanoTime();
        BookCorpus books = BookCorpus.load(corpusDir);
        createDirectories(workDir);
        checkOptions(workDir);
        Engine.getInstance().setRandomSeed((int) seed);
        if (!Files.exists(workDir.resolve(BpeVocabulary.TOKENIZER_JSON))) {
            System.out.printf("training BPE (%d tokens) on the corpus training split...%n", vocabSize);
            BpeTrainer.builder().optVocabSize(vocabSize).build().train(books.trainingTexts())
                    .writeHuggingFace(workDir, maxPositions);
            WordList.fromTexts(books.trainingTexts()).write(workDir.resolve(WordList.FILE));
        }
        TrainingState state = TrainingState.read(workDir);
        try (TextTokenizer tok = TextTokenizer.load(workDir)) {
            List<int[]> bookTokens = new ArrayList<>();
            for (String text : books.trainingTexts()) {
                bookTokens.add(tok.encode(text, false));
            }
            TokenWindows windows = new TokenWindows(bookTokens, tok.bosId(), seed);
            LlamaShape shape = new LlamaShape(tok.vocabSize(), hidden, intermediate, layers, heads, kvHeads,
                    maxPositions, 10000.0, tok.bosId(), tok.eosId());
            if (state.step() == 0) {
                try (NDManager m = NDManager.newBaseManager()) {
                    shape.writeInitialModel(workDir, m);
                }
            }
            System.out.printf("model: %,d parameters; %,d training tokens; step %d of %d%n",
                    shape.numParameters(), windows.tokens(), state.step(), steps);
            state = train(workDir, windows, state);
            if (state.step() < steps && !writePartial) {
                System.out.printf("stopped at step %d of %d; run the same command again to continue%n", state.step(), steps);
                return 0;
            }
            writeModelDirectory(workDir, out);
            double minutes = (System.nanoTime() - t0) / 6e10;
            System.out.printf("model written to %s (%.1f min this run, %.1f min training in total)%n", out, minutes,
                    state.seconds() / 60);
            if (!skipEval) {
                DefaultModelEval.Result result = DefaultModelEval.builder().optCorpus(books)
                        .optWindow(Math.min(256, maxPositions)).build().evaluate(out);
                System.out.println(result.summary());
                ModelCard.write(out, shape, books, state, steps, result, commandLine());
            }
        }
        return 0;
    }

    private TrainingState train(Path workDir, TokenWindows windows, TrainingState state) {
        try (CausalLM model = Models.load(workDir)) {
            model.setTrainable(true);
            float[] currentLr = {0};
            // Fresh Adam moments on every (re)start; weight decay only on matrices, not on norms.
            Optimizer decay = adamW(currentLr, weightDecay);
            Optimizer noDecay = adamW(currentLr, 0f);
            NDList params = model.parameters();
            long started = System.nanoTime();
            long tokensThisRun = 0;
            double lossSum = 0;
            int lossCount = 0;
            int end = (int) Math.min(steps, (long) state.step() + stopAfter);
            for (int step = state.step(); step < end; step++) {
                // Long rows interleaved (not a final phase) so that every position up to max positions
                // is trained even in a run stopped early.
                int t = (step + 1) % longEvery == 0 ? longSeqLen : seqLen;
                int rows = Math.max(1, batchTokens / t);
                currentLr[0] = learningRate(step);
                float loss;
                try (NDManager sub = model.manager().newSubManager()) {
                    NDArray ids = sub.create(windows.batch(step, rows, t), new Shape(rows, t));
                    NDArray lossArray;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        lossArray = LmLoss.mean(model.forward(model.embed(ids), null), ids);
                        gc.backward(lossArray);
                    }
                    loss = lossArray.getFloat();
                    update(params, sub, decay, noDecay);
                }
                tokensThisRun += (long) rows * t;
                lossSum += loss;
                lossCount++;
                double seconds = (System.nanoTime() - started) / 1e9;
                boolean last = step + 1 == end;
                if ((step + 1) % logEvery == 0 || last) {
                    double tps = tokensThisRun / seconds;
                    double etaMin = (double) (steps - step - 1) * batchTokens / tps / 60;
                    // tok/s and ETA from the steps since the last checkpoint; elapsed over all (resumed) runs
                    System.out.printf("step %5d/%d  loss %.4f  lr %.2e  seq %4d  %5.0f tok/s  elapsed %.1f min  ETA %.1f min%n",
                            step + 1, steps, lossSum / lossCount, currentLr[0], t, tps, (state.seconds() + seconds) / 60, etaMin);
                    state = state.withLoss(step + 1, lossSum / lossCount);
                    lossSum = 0;
                    lossCount = 0;
                }
                if ((step + 1) % checkpointEvery == 0 || last) {
                    state = state.advance(step + 1, tokensThisRun, seconds);
                    saveCheckpoint(workDir, model, state);
                    started = System.nanoTime();
                    tokensThisRun = 0;
                }
            }
        }
        return state;
    }

    /** Clips the global gradient norm to {@code --grad-clip}, then one AdamW step per weight. */
    private void update(NDList params, NDManager sub, Optimizer decay, Optimizer noDecay) {
        List<NDArray> grads = new ArrayList<>();
        double sumSq = 0;
        for (NDArray p : params) {
            NDArray g = p.getGradient(); // a new handle per call: once per step, freed with the step
            g.attach(sub);
            grads.add(g);
            sumSq += g.square().sum().getFloat();
        }
        double norm = Math.sqrt(sumSq);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            if (norm > gradClip) {
                grads.get(i).muli((float) (gradClip / norm));
            }
            // DJL's AdamW update zeroes the gradient afterwards (PyTorch would accumulate otherwise).
            (p.getShape().dimension() == 1 ? noDecay : decay).update(p.getName(), p, grads.get(i));
        }
    }

    private static Optimizer adamW(float[] lr, float weightDecay) {
        return Optimizer.adamW().optLearningRateTracker((id, n) -> lr[0])
                .optBeta1(0.9f).optBeta2(0.95f).optEpsilon(1e-8f).optWeightDecays(weightDecay).build();
    }

    /** Linear warmup to {@code --lr}, then cosine decay to {@code --lr * --min-lr-ratio} at the last step. */
    float learningRate(int step) {
        if (step < warmup) {
            return lr * (step + 1) / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
        return (float) (lr * (minLrRatio + (1 - minLrRatio) * cosine));
    }

    /** Writes the weights (via {@link Models#save}, float32) and then the state into {@code workDir}. */
    static void saveCheckpoint(Path workDir, CausalLM model, TrainingState state) {
        Models.save(model, HfConfig.read(workDir), workDir, false);
        state.write(workDir); // after the weights: a crash in between repeats a few steps, never skips
    }

    /** Copies the trained model's files from the work directory into {@code out}. */
    private static void writeModelDirectory(Path workDir, Path out) {
        createDirectories(out);
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors",
                BpeVocabulary.TOKENIZER_JSON, BpeVocabulary.TOKENIZER_CONFIG_JSON, WordList.FILE)) {
            try {
                Files.copy(workDir.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + f + " from " + workDir + " to " + out, e);
            }
        }
    }

    /** Everything that shapes the result; a resumed run must match it. */
    private Map<String, Object> options() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("seed", seed);
        o.put("vocab_size", vocabSize);
        o.put("hidden", hidden);
        o.put("layers", layers);
        o.put("heads", heads);
        o.put("kv_heads", kvHeads);
        o.put("intermediate", intermediate);
        o.put("max_positions", maxPositions);
        o.put("seq_len", seqLen);
        o.put("long_seq_len", longSeqLen);
        o.put("long_every", longEvery);
        o.put("batch_tokens", batchTokens);
        o.put("lr", lr);
        o.put("min_lr_ratio", minLrRatio);
        o.put("warmup", warmup);
        o.put("weight_decay", weightDecay);
        o.put("grad_clip", gradClip);
        o.put("steps", steps);
        return o;
    }

    private void checkOptions(Path workDir) {
        Path file = workDir.resolve("options.json");
        String mine = GSON.toJson(options());
        try {
            if (Files.exists(file)) {
                JsonObject theirs = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
                JsonObject ours = JsonParser.parseString(mine).getAsJsonObject();
                if (!theirs.equals(ours)) {
                    throw new TextException("checkpoint directory " + workDir + " belongs to a run with other options "
                            + theirs + " (this run: " + ours + "): delete it or pass another --work");
                }
            } else {
                Files.writeString(file, mine);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /** The command that reproduces this run, for the model card. */
    String commandLine() {
        return String.format("java -jar lib/cramlab.jar train-default --out DIR --steps %d --seed %d --vocab-size %d "
                        + "--hidden %d --layers %d --heads %d --kv-heads %d --intermediate %d --max-positions %d "
                        + "--seq-len %d --long-seq-len %d --long-every %d --batch-tokens %d --lr %s --min-lr-ratio %s "
                        + "--warmup %d --weight-decay %s --grad-clip %s",
                steps, seed, vocabSize, hidden, layers, heads, kvHeads, intermediate, maxPositions, seqLen,
                longSeqLen, longEvery, batchTokens, lr, minLrRatio, warmup, weightDecay, gradClip);
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + dir, e);
        }
    }
}
