package org.cramlab.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cramlab.text.Book;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.WordList;

/** Writes the default model's {@code README.md}: corpus, shape, training, measured numbers, commands. */
final class ModelCard {

    /** How the card's capacity numbers are measured: held-out chunks, then the paper's capacity rule at K = 1, 2, 4. */
    static final String CAPACITY_COMMANDS = "java -jar lib/cramlab.jar texts --model DIR --source book --count 10 --tokens 64 --out held10.jsonl\n"
            + "java -jar lib/cramlab.jar capacity --model DIR --texts held10.jsonl --mem 1 --lengths 2,3,4,5,6,8\n"
            + "java -jar lib/cramlab.jar capacity --model DIR --texts held10.jsonl --mem 2 --lengths 4,6,8,12\n"
            + "java -jar lib/cramlab.jar capacity --model DIR --texts held10.jsonl --mem 4 --lengths 8,12,16,24\n";


    private ModelCard() {}

    static void write(Path modelDir, LlamaShape shape, BookCorpus corpus, TrainingState state, int plannedSteps,
            DefaultModelEval.Result eval, String trainCommand) {
        StringBuilder md = new StringBuilder();
        md.append("# cramlab default model\n\n")
                .append("A small Llama (LlamaForCausalLM layout, float32) trained from scratch by cramlab's own code ")
                .append("(`org.cramlab.train.DefaultModelTrainer`) on public-domain books, so that cramlab's notebooks and ")
                .append("CLI run without downloading a model. It loads through the same code path as real Llama ")
                .append("checkpoints (`Models.load`). It is a tiny model: good enough to show the paper's effects ")
                .append("(book text is far more predictable for it than random words), not a useful language model.\n\n");
        md.append("## Shape\n\n")
                .append("| field | value |\n| --- | --- |\n")
                .append(row("parameters", String.format("%,d (tied input/output embeddings)", shape.numParameters())))
                .append(row("hidden size d", shape.hidden()))
                .append(row("layers", shape.layers()))
                .append(row("attention heads / key-value heads", shape.heads() + " / " + shape.kvHeads()
                        + " (head dim " + shape.headDim() + ")"))
                .append(row("SwiGLU intermediate size", shape.intermediate()))
                .append(row("vocabulary", shape.vocabSize() + " (byte-level BPE, BOS `<s>` prepended)"))
                .append(row("max_position_embeddings", shape.maxPositions()))
                .append(row("RoPE theta", shape.ropeTheta()))
                .append("\n");
        md.append("## Tokenizer\n\n")
                .append("Byte-level BPE (GPT-2 pre-tokenisation and byte alphabet) trained by `org.cramlab.train.BpeTrainer` ")
                .append("on the training split only; `tokenizer.json` loads in DJL's HuggingFaceTokenizer and in Hugging Face ")
                .append("tokenizers/transformers. ").append(shape.vocabSize()).append(" tokens rather than 4096 or more: with ")
                .append("about 1.4 M training tokens and a few million parameters, a larger vocabulary spends more of the ")
                .append("parameters on embedding rows that are rarely seen, and per token the predictable part shrinks ")
                .append("(count-based n-gram models on the held-out text, relative to the unigram entropy: bigram 0.72 / ")
                .append("trigram 0.66 at 2048 tokens vs 0.76 / 0.73 at 4096).\n\n");
        md.append("## Corpus\n\n")
                .append("Fetched by `environment/fetch-corpus` from the package registries (not stored in git). ")
                .append("Held-out rule: ").append(Book.HELD_OUT_RULE).append(".\n\n")
                .append("| book | source | package | version | licence | sha256 (normalised text) |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        for (JsonElement e : manifestBooks(corpus)) {
            JsonObject b = e.getAsJsonObject();
            md.append("| ").append(b.get("file").getAsString()).append(" | ").append(b.get("source").getAsString())
                    .append(" | ").append(b.get("package").getAsString()).append(" | ")
                    .append(b.get("version").getAsString()).append(" | ").append(b.get("licence").getAsString())
                    .append(" | `").append(b.get("sha256").getAsString()).append("` |\n");
        }
        corpus.description().forEach((k, v) -> {
            if (k.equals("manifest_sha256")) {
                md.append("\nMANIFEST.json sha256: `").append(v).append("`\n");
            }
        });
        md.append("\n## Training\n\n")
                .append(String.format("%,d steps, %,d training tokens (%.1f passes over the %s), %.1f minutes on the CPU; ",
                        state.step(), state.tokens(), (double) state.tokens() / trainingTokens(modelDir, corpus),
                        "training split", state.seconds() / 60))
                .append(String.format("final training loss %.3f nats/token.%n%n", state.lastLoss()))
                .append(state.step() < plannedSteps ? String.format("**Stopped early at step %d of %d** (out of time): "
                        + "the learning rate had not decayed fully; the command below runs all %d steps.%n%n",
                        state.step(), plannedSteps, plannedSteps) : "")
                .append("```\n").append(trainCommand).append("\n```\n\n")
                .append("AdamW (betas 0.9/0.95, no weight decay on norms), linear warmup then cosine decay, global ")
                .append("gradient-norm clipping; rows are BOS + consecutive tokens from a random place in a random book; ")
                .append("every few steps use long rows so that every position up to max_position_embeddings is trained.\n\n");
        md.append("## Measured (reproduce with `java -jar lib/cramlab.jar eval-default --model DIR`)\n\n")
                .append("| text | tokens | cross-entropy (nats/token) | (bits/token) |\n| --- | --- | --- | --- |\n")
                .append(String.format("| held-out book text | %,d | %.4f | %.4f |%n", eval.heldOutTokens(), eval.heldOutCe(),
                        eval.heldOutCe() / Math.log(2)))
                .append(String.format("| unigram entropy of the same tokens | %,d | %.4f | %.4f |%n", eval.heldOutTokens(),
                        eval.unigramEntropy(), eval.unigramEntropy() / Math.log(2)))
                .append(String.format("| random words from `%s` | %,d | %.4f | %.4f |%n%n", WordList.FILE,
                        eval.randomTokens(), eval.randomCe(), eval.randomCe() / Math.log(2)))
                .append(String.format("Held-out CE is **%.1f%%** below the unigram entropy (issue target: at least 30%%: %s). ",
                        100 * eval.reductionVsUnigram(), eval.reductionVsUnigram() >= 0.30 ? "met" : "NOT met"))
                .append(String.format("Random-word text costs %.2fx the book text's CE per token.%n%n", eval.randomCe() / eval.heldOutCe()))
                .append("Windows of ").append(eval.window()).append(" tokens (BOS + ").append(eval.window() - 1)
                .append(" held-out tokens, consecutive, each token predicted once); random texts: seed 1, ")
                .append(eval.window()).append(" tokens each, words uniform with replacement as in the paper.\n\n");
        md.append("## Cramming capacity\n\nNot measured by `train-default` (it takes about ten minutes); measure it with:\n\n```\n")
                .append(CAPACITY_COMMANDS).append("```\n\n");
        md.append("## Reproduce\n\n```\nenvironment/fetch-corpus\nmvn -q -B -o package -DskipTests\n")
                .append(trainCommand).append("\njava -jar lib/cramlab.jar eval-default --model DIR\n```\n\n")
                .append("`").append(WordList.FILE).append("`: the default vocabulary for random-word texts, derived from ")
                .append("the training split (lower-cased letter runs seen at least ").append(WordList.MIN_COUNT)
                .append(" times, most frequent first).\n");
        try {
            Files.writeString(modelDir.resolve("README.md"), md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model card " + modelDir.resolve("README.md"), e);
        }
    }

    private static String row(String k, Object v) {
        return "| " + k + " | " + v + " |\n";
    }

    private static Iterable<JsonElement> manifestBooks(BookCorpus corpus) {
        if (corpus.manifest() == null) {
            return java.util.List.of();
        }
        try {
            return JsonParser.parseString(Files.readString(corpus.manifest())).getAsJsonObject().getAsJsonArray("books");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + corpus.manifest(), e);
        }
    }

    private static double trainingTokens(Path modelDir, BookCorpus corpus) {
        try (var tok = org.cramlab.checkpoint.TextTokenizer.load(modelDir)) {
            long n = 0;
            for (String t : corpus.trainingTexts()) {
                n += tok.encode(t, false).length;
            }
            return n;
        }
    }
}
