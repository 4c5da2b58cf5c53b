package org.cramlab.effects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import org.cramlab.cram.Evaluator;
import org.cramlab.cram.Greedy;
import org.cramlab.model.CausalLM;
import org.cramlab.model.LayerView;
import org.cramlab.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** The effects experiment's pieces on the tiny golden Llama (2 layers, d = 64): solved memories, knockout, harm. */
class MemoryEffectsTest {

    private static CausalLM model;
    private static MemoryEffects.Horizons solved;
    private static final List<MemoryEffects.Text> TEXTS = List.of(
            new MemoryEffects.Text("a", new int[] {1, 17, 99, 4, 230, 5}), new MemoryEffects.Text("b", new int[] {1, 200, 3, 45, 6}));
    private static final List<MemoryEffects.Text> OTHERS = List.of(
            new MemoryEffects.Text("x", new int[] {1, 9, 8, 7, 6, 5, 4}), new MemoryEffects.Text("y", new int[] {1, 50, 60, 70}));
    private static final MemoryEffects.Setup SETUP = new MemoryEffects.Setup(2, 6, 1, 60, 0.1, 0, List.of(4), 2, 8);

    @BeforeAll
    static void load() throws URISyntaxException {
        model = Models.load(Paths.get(MemoryEffectsTest.class.getResource("/golden/llama").toURI()));
        solved = new MemoryEffects(SETUP, null).horizons(model, TEXTS, null);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void solvedMemoriesDecodeTheirPrefixes() {
        assertEquals(2, solved.records().size());
        assertFalse(solved.solved().isEmpty(), "some stage passed");
        for (MemoryEffects.Solved s : solved.solved()) {
            assertTrue(Greedy.decode(model, s.memory(), s.nMem(), s.tokenIds()).exactMatch(), s.textId());
            int horizon = solved.records().stream().filter(r -> r.textId().equals(s.textId())).findFirst().orElseThrow().horizon();
            assertTrue(s.tokenIds().length <= horizon, s.textId() + " " + horizon);
        }
    }

    @Test
    void knockoutBeyondTheLastLayerIsTheMemoryItself() {
        Table t = MemoryEffects.knockout(model, solved.solved());
        int layers = LayerView.layersOf(model);
        assertEquals((layers + 1) * solved.solved().size(), t.rowCount());
        Evaluator plain = new Evaluator(model, 1);
        for (int i = 0; i < t.rowCount(); i++) {
            if (t.intColumn("from_layer").get(i) != layers) continue;
            MemoryEffects.Solved s = solvedFor(t.stringColumn("text_id").get(i));
            Evaluator.Score score = plain.score(List.of(new Evaluator.Item(s.tokenIds(), s.memory(), s.nMem()))).get(0);
            assertEquals(score.accuracy(), t.doubleColumn("accuracy").get(i));
            assertEquals(score.loss(), t.doubleColumn("loss").get(i));
            assertEquals(1, t.intColumn("greedy_exact").get(i));
        }
        // knocked out from layer 0 the text never sees the memory: its loss is the text's own, whatever the memory
        for (int i = 0; i < t.rowCount(); i++) {
            if (t.intColumn("from_layer").get(i) != 0) continue;
            MemoryEffects.Solved s = solvedFor(t.stringColumn("text_id").get(i));
            double alone = plain.scoreAlone(List.of(s.tokenIds())).get(0).loss();
            assertEquals(alone, t.doubleColumn("loss").get(i), 1e-4);
        }
    }

    private static MemoryEffects.Solved solvedFor(String textId) {
        return solved.solved().stream().filter(x -> x.textId().equals(textId)).findFirst().orElseThrow();
    }

    @Test
    void harmComparesTheSameTargetsUnderEachPrefix() {
        Table t = MemoryEffects.harm(model, solved.solved(), OTHERS, 1);
        int n = solved.solved().size();
        assertEquals(OTHERS.size() * (1 + 3 * n), t.rowCount());
        Evaluator e = new Evaluator(model, 4);
        List<Evaluator.Score> alone = e.scoreAlone(OTHERS.stream().map(MemoryEffects.Text::tokenIds).toList());
        Table none = t.where(t.stringColumn("prefix").isEqualTo("none"));
        // harm scores 8 texts per batch, this check 4 or 1: other padding rounds the float32 matmuls differently
        // (seen: 1.4e-6 nats); one wrong target would move a mean loss by ~0.1 nats
        double tolerance = 1e-5;
        for (int j = 0; j < OTHERS.size(); j++) {
            assertEquals(alone.get(j).loss(), none.doubleColumn("loss").get(j), tolerance);
        }
        MemoryEffects.Solved s = solved.solved().get(0);
        Table crammed = t.where(t.stringColumn("prefix").isEqualTo("crammed").and(t.stringColumn("memory_of").isEqualTo(s.textId())));
        double withMemory = e.score(List.of(new Evaluator.Item(OTHERS.get(0).tokenIds(), s.memory(), 1))).get(0).loss();
        assertEquals(withMemory, crammed.doubleColumn("loss").get(0), tolerance);
    }

    @Test
    void probeOptionsShareTheQuestionAndSwapTheContinuation() {
        List<int[]> texts = List.of(new int[] {1, 2, 3, 4, 5, 6}, new int[] {1, 7, 8, 9, 10}, new int[] {1, 11, 12, 13, 14, 15, 16});
        ChoiceProbe p = ChoiceProbe.of(texts); // common length 5: question 3 tokens, options 2
        assertEquals(3, p.choices());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, p.options(0)[0]);
        assertArrayEquals(new int[] {1, 2, 3, 9, 10}, p.options(0)[1]);
        assertArrayEquals(new int[] {1, 2, 3, 13, 14}, p.options(0)[2]);
        assertArrayEquals(new int[] {1, 11, 12, 4, 5}, p.options(2)[1]);
        assertTrue(ChoiceProbe.of(List.of(new int[] {1, 2, 3})).isEmpty(), "one text: no distractor");
    }

    /** The probe's pick (mean loss over all targets) is the option whose continuation is most likely. */
    @Test
    void harmProbePicksTheMostLikelyContinuation() {
        Table t = MemoryEffects.harm(model, solved.solved(), OTHERS, 1);
        ChoiceProbe p = ChoiceProbe.of(OTHERS.stream().map(MemoryEffects.Text::tokenIds).toList());
        Table none = t.where(t.stringColumn("prefix").isEqualTo("none"));
        for (int j = 0; j < OTHERS.size(); j++) {
            int[][] options = p.options(j);
            double truth = continuationLogLikelihood(options[0], 2);
            double other = continuationLogLikelihood(options[1], 2);
            assertEquals(truth > other ? 1.0 : 0.0, none.doubleColumn("choice_correct").get(j), OTHERS.get(j).id());
            assertEquals(2, none.intColumn("choices").get(j));
        }
        assertEquals(0, t.doubleColumn("choice_correct").isMissing().size(), "every row has an answer");
    }

    /** Sum of log p over the last m tokens of {@code ids}, no prefix, from one forward. */
    private static double continuationLogLikelihood(int[] ids, int m) {
        try (NDManager scope = model.manager().newSubManager()) {
            long[] l = Arrays.stream(ids).asLongStream().toArray();
            NDArray x = model.embed(scope.create(l, new Shape(1, ids.length)));
            float[] logp = model.forward(x, null).toType(DataType.FLOAT32, false).logSoftmax(-1).toFloatArray();
            int v = model.info().vocabSize();
            double sum = 0;
            for (int i = ids.length - m; i < ids.length; i++) sum += logp[(i - 1) * v + ids[i]];
            return sum;
        }
    }

    @Test
    void randomControlKeepsEachRowsNorm() {
        float[] m = new float[2 * 5];
        Random r = new Random(4);
        for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian() * (i < 5 ? 1 : 7);
        float[] c = MemoryEffects.sameNorm(m, 5, new Random(1));
        for (int row = 0; row < 2; row++) {
            double a = 0, b = 0, dot = 0;
            for (int j = 0; j < 5; j++) {
                a += m[row * 5 + j] * m[row * 5 + j];
                b += c[row * 5 + j] * c[row * 5 + j];
                dot += m[row * 5 + j] * c[row * 5 + j];
            }
            assertEquals(Math.sqrt(a), Math.sqrt(b), 1e-4);
            assertTrue(Math.abs(dot) < Math.sqrt(a * b) * 0.999, "a different direction");
        }
    }

    @Test
    void ranksAreFractionsOfTheWidthEndingAtD() {
        assertEquals(List.of(4, 8, 16, 32, 64), MemoryEffects.Setup.full().ranks(64));
        assertEquals(List.of(12, 24, 48, 96, 192), MemoryEffects.Setup.smoke().ranks(192));
        assertArrayEquals(new int[] {1, 2}, new MemoryEffects.Setup(1, 2, 1, 1, 0.1, 0, List.of(4, 2, 1), 1, 2).ranks(2)
                .stream().mapToInt(Integer::intValue).toArray());
    }
}
