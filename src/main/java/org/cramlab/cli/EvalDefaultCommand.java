package org.cramlab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cramlab.text.BookCorpus;
import org.cramlab.core.CramlabHome;
import org.cramlab.text.WordList;
import org.cramlab.train.DefaultModelEval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cramlab eval-default}: the model card's numbers ({@link DefaultModelEval}) for a model directory. */
@Command(name = "eval-default", mixinStandardHelpOptions = true,
        description = "Held-out book-text CE vs unigram entropy, and random-word CE, of a model (default: the default model).",
        footer = {"%nExample:", "  java -jar lib/cramlab.jar eval-default --random-texts 8 --seed 1"})
public final class EvalDefaultCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--corpus", paramLabel = "DIR", description = "Corpus directory (default: $CRAMLAB_HOME/corpus).")
    Path corpus;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "Word list for random texts (default: words.txt in the model directory).")
    Path vocab;

    @Option(names = "--window", defaultValue = "256", description = "Tokens per window, BOS included (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--random-texts", defaultValue = "32", description = "Random-word texts (default: ${DEFAULT-VALUE}).")
    int randomTexts;

    @Mixin
    SeedOption seed; // of the random texts

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() {
        threads.configure();
        Path dir = model.directory();
        DefaultModelEval.Result r = DefaultModelEval.builder()
                .optCorpus(BookCorpus.load(corpus != null ? corpus : CramlabHome.corpusDir()))
                .optVocab(vocab != null ? WordList.read(vocab) : null)
                .optWindow(window)
                .optRandomCount(randomTexts)
                .optSeed(seed.seed())
                .build()
                .evaluate(dir);
        System.out.println("model: " + dir);
        System.out.println(r.summary());
        return 0;
    }
}
