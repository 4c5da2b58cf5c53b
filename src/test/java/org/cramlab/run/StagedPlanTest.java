package org.cramlab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.capacity.Strategy;
import org.cramlab.capacity.SearchMethod;
import org.cramlab.cram.OptimiserSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cramlab.run.CapacitySearch;
import org.cramlab.run.ExperimentException;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.RunSpec;
import org.cramlab.run.TextSpec;
import org.cramlab.run.RunStoreTest;
import org.cramlab.run.StagedPlanTest;

/** Plans that name a capacity strategy: the file format, old plans, and the search a plan describes. */
class StagedPlanTest {

    @Test
    void strategyAndStageBudgetRoundTripAndOldPlansAreGrid(@TempDir Path dir) throws Exception {
        ExperimentPlan warm = RunStoreTest.plan(3).withStrategy("warm", 120, null, null, true);
        Path f = dir.resolve("plan.json");
        warm.save(f);
        ExperimentPlan back = ExperimentPlan.load(f);
        assertEquals(warm, back);
        assertEquals("warm", back.strategy());
        assertEquals(120, back.stageSteps());
        assertEquals(ExperimentPlan.DEFAULT_GROW, back.grow(), "growth not given: the default");
        assertEquals(SearchMethod.DEFAULT_STAGE_PATIENCE, back.stagePatience(), "patience not given: the default");
        assertEquals(SearchMethod.DEFAULT_STAGE_PATIENCE, CapacitySearch.fromPlan(back).method().stagePatience());
        assertTrue(back.isRepair());
        assertTrue(CapacitySearch.fromPlan(back).method().repair(), "the search repairs");
        assertTrue(!Files.readString(f).contains("null"), Files.readString(f));
        assertEquals(SearchMethod.DEFAULT_REPAIR, RunStoreTest.plan(1).withStrategy("warm").isRepair(), "repair: the default");
        assertTrue(Files.readString(f).contains("\"stage_patience\": " + SearchMethod.DEFAULT_STAGE_PATIENCE), "recorded");

        // a staged plan file from before stage_patience, written without repair (off then): what it meant then
        Path staged = dir.resolve("staged-old.json");
        Files.writeString(staged, Files.readString(f).replaceAll(",\\s*\"stage_patience\": \\d+", "")
                .replaceAll(",\\s*\"repair\": true", ""));
        ExperimentPlan before = ExperimentPlan.load(staged);
        assertEquals(120, before.stagePatience(), "patience = the stage budget, as then: " + Files.readString(staged));
        assertTrue(!before.isRepair() && !CapacitySearch.fromPlan(before).method().repair(), "no repair, as then");

        // a plan file from before strategies: no strategy field
        Path old = dir.resolve("old.json");
        Files.writeString(old, Files.readString(f).replaceAll(",\\s*\"strategy\": \"warm\"", "")
                .replaceAll(",\\s*\"stage_steps\": 120", "").replaceAll(",\\s*\"stage_patience\": \\d+", "").replaceAll(",\\s*\"grow\": 1", "")
                .replaceAll(",\\s*\"repair\": true", ""));
        ExperimentPlan grid = ExperimentPlan.load(old);
        assertTrue(grid.isGrid(), Files.readString(old));
        assertNull(grid.stageSteps());
        assertEquals(warm.runs(), grid.runs());
    }

    @Test
    void badStrategyFieldsAreNamed(@TempDir Path dir) throws Exception {
        ExperimentException e = assertThrows(ExperimentException.class, () -> RunStoreTest.plan(1).withStrategy("grid", 100, null, null, false));
        assertTrue(e.getMessage().contains("stage_steps, stage_patience, grow and repair belong to"), e.getMessage());
        e = assertThrows(ExperimentException.class, () -> RunStoreTest.plan(1).withStrategy("grid", null, null, null, true));
        assertTrue(e.getMessage().contains("not to grid"), e.getMessage());
        e = assertThrows(ExperimentException.class, () -> RunStoreTest.plan(1).withStrategy("warm", 0, null, null, false));
        assertTrue(e.getMessage().contains("stage_steps must be >= 1, got 0"), e.getMessage());
        e = assertThrows(ExperimentException.class, () -> RunStoreTest.plan(1).withStrategy("warm", 10, 0, null, false));
        assertTrue(e.getMessage().contains("stage_patience must be >= 1, got 0"), e.getMessage());
        Path f = dir.resolve("plan.json");
        RunStoreTest.plan(1).withStrategy("warm").save(f);
        Files.writeString(f, Files.readString(f).replace("\"warm\"", "\"annealing\""));
        e = assertThrows(ExperimentException.class, () -> ExperimentPlan.load(f));
        assertTrue(e.getMessage().contains("plan file " + f) && e.getMessage().contains("'annealing'"), e.getMessage());
    }

    @Test
    void thePlanDescribesOneSearchWhoseShardsSplitTexts() {
        ExperimentPlan plan = RunStoreTest.plan(5).withStrategy("progressive", 80, 40, 2, false);
        CapacitySearch search = CapacitySearch.fromPlan(plan);
        assertEquals(List.of(8, 16, 32), search.grid());
        assertEquals(5, search.texts().size());
        assertTrue(search.texts().stream().allMatch(c -> c.tokens() == 32), "each text as long as its longest grid length");
        SearchMethod st = search.method();
        assertEquals(Strategy.PROGRESSIVE, st.strategy());
        assertEquals(80, st.stageSteps());
        assertEquals(40, st.stagePatience());
        assertEquals(2, st.grow());
        ExperimentPlan again = search.gridPlan(); // the plan it was read from, runs in grid order
        assertEquals(java.util.Set.copyOf(plan.runs()), java.util.Set.copyOf(again.runs()), "the same runs");
        assertEquals(java.util.Arrays.asList(plan.strategy(), plan.stageSteps(), plan.stagePatience(), plan.grow(), plan.repair()),
                java.util.Arrays.asList(again.strategy(), again.stageSteps(), again.stagePatience(), again.grow(), again.repair()));

        List<TextSpec> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) search.shard(i, 3).texts().forEach(c -> seen.add(c.text()));
        assertEquals(search.texts().stream().map(CapacitySearch.Candidate::text).sorted(java.util.Comparator.comparing(TextSpec::index)).toList(),
                seen.stream().sorted(java.util.Comparator.comparing(TextSpec::index)).toList(), "shards partition the texts");
        ExperimentException e = assertThrows(ExperimentException.class, () -> search.shard(0, 6).shard(5, 6));
        assertTrue(e.getMessage().contains("has no texts"), e.getMessage());

        List<RunSpec> mixed = new ArrayList<>(plan.runs());
        mixed.add(new RunSpec("/models/m", "m", new TextSpec("book", null, 0, 1), 8, 2, 42, OptimiserSettings.paper()));
        e = assertThrows(ExperimentException.class,
                () -> CapacitySearch.fromPlan(new ExperimentPlan("mixed", mixed).withStrategy("warm")));
        assertTrue(e.getMessage().contains("is not one capacity search") && e.getMessage().contains("model, K, seed or settings"),
                e.getMessage());
    }
}
