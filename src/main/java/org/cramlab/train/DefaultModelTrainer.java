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
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.TextException;
import org.cramlab.text.WordList;

/**
 * Trains cramlab's default model from scratch on the book corpus's training split (the {@code
 * train-default} command): a byte-level BPE ({@link BpeTrainer}), then a small Llama (same code as
 * real Llama checkpoints, loaded through {@code Models.load}) with AdamW, warmup + cosine learning
 * rate, global gradient-norm clipping and every {@code longEvery}-th step at long sequence length so
 * positions up to {@code maxPositions} are trained. Checkpoints go to the work directory every
 * {@code checkpointEvery} steps and a rerun with the same config resumes there (the Adam moments
 * restart, the batches and the schedule continue exactly). At the end the Hugging Face model directory
 * is written, evaluated with {@link DefaultModelEval}, and described in a model card ({@code README.md}).
 */
public final class DefaultModelTrainer {

    /**
     * The training options (the command's defaults are in {@code cli.TrainDefaultCommand}); all but
     * the two intervals shape the result.
     *
     * @param steps optimiser steps
     * @param seed seed of the initialisation and the batches
     * @param vocabSize BPE vocabulary
     * @param hidden model width
     * @param layers decoder layers
     * @param heads query heads
     * @param kvHeads key/value heads
     * @param intermediate SwiGLU width
     * @param maxPositions max_position_embeddings
     * @param seqLen training sequence length
     * @param longSeqLen sequence length of every {@code longEvery}-th step
     * @param longEvery every that many steps use rows of {@code longSeqLen}
     * @param batchTokens tokens per batch (rows = batchTokens / sequence length)
     * @param lr peak learning rate
     * @param minLrRatio final learning rate as a fraction of the peak
     * @param warmup warmup steps
     * @param weightDecay AdamW weight decay of matrices (norms get none)
     * @param gradClip global gradient-norm clip
     * @param checkpointEvery checkpoint interval in steps
     * @param logEvery progress line interval in steps
     */
    public record Config(int steps, long seed, int vocabSize, int hidden, int layers, int heads, int kvHeads,
            int intermediate, int maxPositions, int seqLen, int longSeqLen, int longEvery, int batchTokens, float lr,
            float minLrRatio, int warmup, float weightDecay, float gradClip, int checkpointEvery, int logEvery) {

        /** Everything that shapes the result; a resumed run must match it. */
        Map<String, Object> shaping() {
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

        /** The command that reproduces this run, for the model card. */
        String commandLine() {
            return String.format("java -jar lib/cramlab.jar train-default --out DIR --steps %d --seed %d --vocab-size %d "
                            + "--hidden %d --layers %d --heads %d --kv-heads %d --intermediate %d --max-positions %d "
                            + "--seq-len %d --long-seq-len %d --long-every %d --batch-tokens %d --lr %s --min-lr-ratio %s "
                            + "--warmup %d --weight-decay %s --grad-clip %s",
                    steps, seed, vocabSize, hidden, layers, heads, kvHeads, intermediate, maxPositions, seqLen,
                    longSeqLen, longEvery, batchTokens, lr, minLrRatio, warmup, weightDecay, gradClip);
        }
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private final Config c;

    public DefaultModelTrainer(Config config) {
        this.c = config;
    }

    /**
     * Trains (or resumes in {@code workDir}) and writes the model directory {@code out}.
     *
     * @param stopAfter stop this call after that many steps with a checkpoint; the same call resumes
     * @param writePartial when stopping before {@code steps}, still write, evaluate and describe the model
     * @param skipEval do not evaluate or write the model card
     */
    public void train(Path corpusDir, Path out, Path workDir, int stopAfter, boolean writePartial, boolean skipEval) {
        long t0 = System.nanoTime();
        BookCorpus books = BookCorpus.load(corpusDir);
        createDirectories(workDir);
        checkOptions(workDir);
        Engine.getInstance().setRandomSeed((int) c.seed());
        if (!Files.exists(workDir.resolve(BpeVocabulary.TOKENIZER_JSON))) {
            System.out.printf("training BPE (%d tokens) on the corpus training split...%n", c.vocabSize());
            BpeTrainer.builder().optVocabSize(c.vocabSize()).build().train(books.trainingTexts())
                    .writeHuggingFace(workDir, c.maxPositions());
            WordList.fromTexts(books.trainingTexts()).write(workDir.resolve(WordList.FILE));
        }
        TrainingState state = TrainingState.read(workDir);
        try (TextTokenizer tok = TextTokenizer.load(workDir)) {
            List<int[]> bookTokens = new ArrayList<>();
            for (String text : books.trainingTexts()) {
                bookTokens.add(tok.encode(text, false));
            }
            TokenWindows windows = new TokenWindows(bookTokens, tok.bosId(), c.seed());
            LlamaShape shape = new LlamaShape(tok.vocabSize(), c.hidden(), c.intermediate(), c.layers(), c.heads(),
                    c.kvHeads(), c.maxPositions(), 10000.0, tok.bosId(), tok.eosId());
            if (state.step() == 0) {
                try (NDManager m = NDManager.newBaseManager()) {
                    shape.writeInitialModel(workDir, m);
                }
            }
            System.out.printf("model: %,d parameters; %,d training tokens; step %d of %d%n",
                    shape.numParameters(), windows.tokens(), state.step(), c.steps());
            state = train(workDir, windows, state, stopAfter);
            if (state.step() < c.steps() && !writePartial) {
                System.out.printf("stopped at step %d of %d; run the same command again to continue%n", state.step(),
                        c.steps());
                return;
            }
            writeModelDirectory(workDir, out);
            double minutes = (System.nanoTime() - t0) / 6e10;
            System.out.printf("model written to %s (%.1f min this run, %.1f min training in total)%n", out, minutes,
                    state.seconds() / 60);
            if (!skipEval) {
                DefaultModelEval.Result result = DefaultModelEval.builder().optCorpus(books)
                        .optWindow(Math.min(256, c.maxPositions())).build().evaluate(out);
                System.out.println(result.summary());
                ModelCard.write(out, shape, books, state, c.steps(), result, c.commandLine());
            }
        }
    }

    private TrainingState train(Path workDir, TokenWindows windows, TrainingState state, int stopAfter) {
        try (CausalLM model = Models.load(workDir)) {
            model.setTrainable(true);
            float[] currentLr = {0};
            // Fresh Adam moments on every (re)start; weight decay only on matrices, not on norms.
            Optimizer decay = adamW(currentLr, c.weightDecay());
            Optimizer noDecay = adamW(currentLr, 0f);
            NDList params = model.parameters();
            long started = System.nanoTime();
            long tokensThisRun = 0;
            double lossSum = 0;
            int lossCount = 0;
            int end = (int) Math.min(c.steps(), (long) state.step() + stopAfter);
            for (int step = state.step(); step < end; step++) {
                // Long rows interleaved (not a final phase) so that every position up to max positions
                // is trained even in a run stopped early.
                int t = (step + 1) % c.longEvery() == 0 ? c.longSeqLen() : c.seqLen();
                int rows = Math.max(1, c.batchTokens() / t);
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
                if ((step + 1) % c.logEvery() == 0 || last) {
                    double tps = tokensThisRun / seconds;
                    double etaMin = (double) (c.steps() - step - 1) * c.batchTokens() / tps / 60;
                    // tok/s and ETA from the steps since the last checkpoint; elapsed over all (resumed) runs
                    System.out.printf("step %5d/%d  loss %.4f  lr %.2e  seq %4d  %5.0f tok/s  elapsed %.1f min  ETA %.1f min%n",
                            step + 1, c.steps(), lossSum / lossCount, currentLr[0], t, tps, (state.seconds() + seconds) / 60, etaMin);
                    state = state.withLoss(step + 1, lossSum / lossCount);
                    lossSum = 0;
                    lossCount = 0;
                }
                if ((step + 1) % c.checkpointEvery() == 0 || last) {
                    state = state.advance(step + 1, tokensThisRun, seconds);
                    saveCheckpoint(workDir, model, state);
                    started = System.nanoTime();
                    tokensThisRun = 0;
                }
            }
        }
        return state;
    }

    /** Clips the global gradient norm to {@code gradClip}, then one AdamW step per weight. */
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
            if (norm > c.gradClip()) {
                grads.get(i).muli((float) (c.gradClip() / norm));
            }
            // DJL's AdamW update zeroes the gradient afterwards (PyTorch would accumulate otherwise).
            (p.getShape().dimension() == 1 ? noDecay : decay).update(p.getName(), p, grads.get(i));
        }
    }

    private static Optimizer adamW(float[] lr, float weightDecay) {
        return Optimizer.adamW().optLearningRateTracker((id, n) -> lr[0])
                .optBeta1(0.9f).optBeta2(0.95f).optEpsilon(1e-8f).optWeightDecays(weightDecay).build();
    }

    /** Linear warmup to {@code lr}, then cosine decay to {@code lr * minLrRatio} at the last step. */
    float learningRate(int step) {
        if (step < c.warmup()) {
            return c.lr() * (step + 1) / c.warmup();
        }
        double progress = (double) (step - c.warmup()) / Math.max(1, c.steps() - c.warmup());
        double cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
        return (float) (c.lr() * (c.minLrRatio() + (1 - c.minLrRatio()) * cosine));
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

    private void checkOptions(Path workDir) {
        Path file = workDir.resolve("options.json");
        String mine = GSON.toJson(c.shaping());
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

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + dir, e);
        }
    }
}
