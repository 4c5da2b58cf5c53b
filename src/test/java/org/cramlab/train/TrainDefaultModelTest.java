package org.cramlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cramlab.checkpoint.HfConfig;
import org.cramlab.cli.Main;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.TestCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainDefaultModelTest {

    @TempDir
    Path tmp;

    private static final String[] TINY = {"--vocab-size", "300", "--hidden", "32", "--layers", "2", "--heads", "2",
            "--kv-heads", "1", "--intermediate", "64", "--max-positions", "128", "--seq-len", "32",
            "--long-seq-len", "64", "--long-every", "4", "--batch-tokens", "256", "--warmup", "3", "--lr", "1e-2",
            "--log-every", "1", "--checkpoint-every", "5"};

    private int train(Path corpus, Path out, int steps, String... extra) {
        String[] args = new String[TINY.length + 7 + extra.length];
        System.arraycopy(new String[] {"train-default", "--corpus", corpus.toString(), "--out", out.toString(),
                "--steps", String.valueOf(steps)}, 0, args, 0, 7);
        System.arraycopy(TINY, 0, args, 7, TINY.length);
        System.arraycopy(extra, 0, args, 7 + TINY.length, extra.length);
        return Main.commandLine().execute(args);
    }

    @Test
    void fewStepsLowerTheLossAndWriteAHuggingFaceLlamaDirectory() throws Exception {
        Path corpus = TestCorpus.write(tmp.resolve("corpus"), 2, 150);
        Path out = tmp.resolve("model");
        assertEquals(0, train(corpus, out, 20));
        TrainingState state = TrainingState.read(tmp.resolve("model.work"));
        assertEquals(20, state.step());
        double first = state.losses().get(0)[1];
        double last = state.lastLoss();
        assertTrue(first > Math.log(300) - 0.5, "initial loss " + first + " should be near ln(300)");
        assertTrue(last < first - 1.0, "loss went from " + first + " to " + last);

        for (String f : DefaultModel.FILES) {
            assertTrue(Files.isRegularFile(out.resolve(f)), "missing " + f);
        }
        HfConfig cfg = HfConfig.read(out);
        assertEquals("llama", cfg.modelType());
        assertEquals(300, cfg.requireInt("vocab_size"));
        var config = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
        assertEquals("LlamaForCausalLM", config.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals("float32", config.get("torch_dtype").getAsString());
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.contains("unigram entropy") && card.contains("train-default"), card);
        assertTrue(card.contains("## Cramming capacity") && card.contains("capacity --model DIR --texts held10.jsonl --mem 1"), card);
        try (CausalLM model = Models.load(out)) {
            assertTrue(model.parameters().stream().anyMatch(p -> p.getName().equals("model.layers.1.mlp.down_proj.weight")));
            assertEquals(new LlamaShape(300, 32, 64, 2, 2, 1, 128, 1e4, 0, 1).numParameters(), model.info().numParameters());
        }
    }

    @Test
    void resumedRunEndsWhereAnUninterruptedRunEnds() throws Exception {
        Path corpus = TestCorpus.write(tmp.resolve("corpus"), 2, 150);
        assertEquals(0, train(corpus, tmp.resolve("straight"), 10, "--skip-eval"));
        // 5 steps, then the run stops (as after a crash), then the same command continues from the checkpoint
        Path work = tmp.resolve("resumed.work");
        assertEquals(0, train(corpus, tmp.resolve("resumed"), 10, "--skip-eval", "--stop-after", "5"));
        assertEquals(5, TrainingState.read(work).step());
        assertTrue(Files.notExists(tmp.resolve("resumed").resolve("model.safetensors")));
        assertEquals(0, train(corpus, tmp.resolve("resumed"), 10, "--skip-eval"));
        TrainingState full = TrainingState.read(tmp.resolve("straight.work"));
        TrainingState resumed = TrainingState.read(work);
        assertEquals(10, resumed.step());
        assertEquals(full.tokens(), resumed.tokens());
        // same seed, same batches: identical losses up to the interruption
        for (int i = 0; i < 5; i++) {
            assertEquals(full.losses().get(i)[1], resumed.losses().get(i)[1], 1e-6, "step " + (i + 1));
        }
        // after it the Adam moments restart, but training continues from the saved weights
        assertTrue(resumed.losses().get(5)[1] < resumed.losses().get(0)[1]);
        assertTrue(Files.isRegularFile(tmp.resolve("resumed").resolve("model.safetensors")));
        // a run with other options refuses the checkpoint directory
        // (exit code 2: a cramlab error, reported in one line by the command line's error handler)
        assertEquals(2, Main.commandLine().execute("train-default", "--corpus", corpus.toString(), "--out",
                tmp.resolve("resumed").toString(), "--steps", "10", "--hidden", "64"));
    }

    @Test
    void savedWeightsReloadWithIdenticalLogits() throws Exception {
        Path dir = tmp.resolve("m");
        LlamaShape shape = new LlamaShape(64, 32, 48, 2, 4, 2, 64, 1e4, 0, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            shape.writeInitialModel(dir, m);
        }
        Path copy = tmp.resolve("copy");
        float[] before;
        try (CausalLM model = Models.load(dir); NDManager m = NDManager.newBaseManager()) {
            // change the weights so the reload is not just the initial file
            for (NDArray p : model.parameters()) {
                p.addi(m.randomNormal(0f, 0.05f, p.getShape(), p.getDataType()));
            }
            NDArray ids = m.create(new long[] {0, 5, 9, 33, 2, 63, 7}, new Shape(1, 7));
            before = model.forward(model.embed(ids), null).toFloatArray();
            shape.writeConfigs(copy);
            DefaultModelTrainer.saveCheckpoint(copy, model, new TrainingState(1, 7, 0.1, java.util.List.of()));
        }
        try (CausalLM model = Models.load(copy); NDManager m = NDManager.newBaseManager()) {
            NDArray ids = m.create(new long[] {0, 5, 9, 33, 2, 63, 7}, new Shape(1, 7));
            // exact: the same float32 weights and the same code give the same numbers
            assertArrayEquals(before, model.forward(model.embed(ids), null).toFloatArray(), 0f);
            NDList params = model.parameters();
            assertEquals(2 * 9 + 2, params.size());
        }
    }
}
