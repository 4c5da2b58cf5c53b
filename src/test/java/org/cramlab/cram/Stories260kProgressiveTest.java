package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.checkpoint.TextTokenizer;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.cramlab.text.ShortStories;
import org.junit.jupiter.api.Test;

/**
 * Progressive cramming on the real pretrained stories260K (../shared/models, or $CRAMLAB_SHARED_MODELS):
 * cramlab's TinyStories-style stories grow for several stages in one vector, every passed stage decodes
 * exactly, and each memory's recorded horizon is what a fresh greedy decode of it gives. Skipped with a
 * message where the model is absent.
 */
public class Stories260kProgressiveTest {

    /** Where stories260K is: $CRAMLAB_SHARED_MODELS/stories260K, else ../shared/models/stories260K. */
    public static Path stories260k() {
        String env = System.getenv("CRAMLAB_SHARED_MODELS");
        return Path.of(env == null || env.isBlank() ? "../shared/models" : env).resolve("stories260K");
    }

    @Test
    void storiesGrowForSeveralStagesAndPassedStagesDecodeExactly() {
        Path dir = stories260k();
        assumeTrue(Files.isRegularFile(dir.resolve("config.json")),
                "stories260K not found at " + dir.toAbsolutePath().normalize() + " (../shared/models is absent): skipped");
        try (CausalLM model = Models.load(dir); TextTokenizer tok = TextTokenizer.load(dir)) {
            List<ProgressiveCrammer.Task> tasks = new ArrayList<>();
            List<String> stories = ShortStories.all();
            for (int i = 0; i < 2; i++) {
                tasks.add(new ProgressiveCrammer.Task("story:" + i, "stories", tok.encode(stories.get(i), true, 24), 1, i));
            }
            List<float[]> memories = new ArrayList<>();
            List<ProgressiveRecord.Stage> stages = new ArrayList<>();
            List<int[]> tokens = new ArrayList<>();
            List<ProgressiveRecord> records = ProgressiveCrammer.builder(model)
                    .optSettings(CramSettings.builder().optMaxSteps(400).optPatience(400).optBatchSize(2).build())
                    .optPolicy(StagePolicy.grow(2, 4)).build()
                    .run(tasks, new ProgressiveCrammer.Listener() {
                        @Override
                        public void onStage(ProgressiveCrammer.Task task, ProgressiveRecord.Stage stage, float[] memory) {
                            memories.add(memory);
                            stages.add(stage);
                            tokens.add(java.util.Arrays.copyOf(task.tokenIds(), stage.length()));
                        }
                    });
            assertTrue(records.stream().anyMatch(r -> r.longestPassed() >= 10),
                    "one vector holds >= 10 tokens of a TinyStories text: " + records.stream().map(ProgressiveRecord::longestPassed).toList());
            for (int i = 0; i < stages.size(); i++) {
                ProgressiveRecord.Stage s = stages.get(i);
                assertEquals(s.passed(), s.horizon() == s.length());
                assertEquals(s.horizon(), Exactness.horizon(model, memories.get(i), 1, tokens.get(i)), "stage " + s);
            }
        }
    }
}
