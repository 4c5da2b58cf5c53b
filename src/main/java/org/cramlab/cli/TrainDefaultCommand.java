package org.cramlab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cramlab.core.CramlabHome;
import org.cramlab.train.DefaultModelTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train-default}: trains cramlab's default model ({@link DefaultModelTrainer}); a rerun resumes. */
@Command(name = "train-default", mixinStandardHelpOptions = true,
        description = "Train cramlab's default model (BPE tokenizer + small Llama) on the book corpus.",
        footer = {"%nExample (the embedded model's recipe is in its README):",
            "  java -jar lib/cramlab.jar train-default --out my-model --steps 1000 --seed 1"})
public final class TrainDefaultCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--work", paramLabel = "DIR",
            description = "Checkpoint directory (default: <out>.work); a rerun resumes from it.")
    Path work;

    @Option(names = "--corpus", paramLabel = "DIR", description = "Corpus directory (default: $CRAMLAB_HOME/corpus).")
    Path corpus;

    @Option(names = "--steps", defaultValue = "2000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Mixin
    SeedOption seed; // of the init and the batches

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

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() {
        threads.configure();
        DefaultModelTrainer.Config config = new DefaultModelTrainer.Config(steps, seed.seed(), vocabSize, hidden, layers, heads,
                kvHeads, intermediate, maxPositions, seqLen, longSeqLen, longEvery, batchTokens, lr, minLrRatio, warmup,
                weightDecay, gradClip, checkpointEvery, logEvery);
        Path workDir = work != null ? work : out.resolveSibling(out.getFileName() + ".work");
        new DefaultModelTrainer(config).train(corpus != null ? corpus : CramlabHome.corpusDir(), out, workDir, stopAfter,
                writePartial, skipEval);
        return 0;
    }
}
