package org.cramlab.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.cramlab.capacity.CapacityRule;
import org.cramlab.capacity.Repair;
import org.cramlab.capacity.RepairRuns;
import org.cramlab.capacity.Retry;
import org.cramlab.capacity.SearchMethod;
import org.cramlab.capacity.SearchResult;
import org.cramlab.capacity.StagedSchedule;
import org.cramlab.capacity.StagedScoring;
import org.cramlab.core.Progress;
import org.cramlab.cram.CramException;
import org.cramlab.cram.CramSettings;
import org.cramlab.cram.Memory;
import org.cramlab.cram.Metrics;
import org.cramlab.cram.ProgressiveCrammer;
import org.cramlab.cram.ProgressiveRecord;
import org.cramlab.cram.RunRecord;
import org.cramlab.model.CausalLM;
import org.cramlab.report.Aggregates;

/**
 * A {@link CapacitySearch} with a staged strategy, persisted: the capacity package's staged schedule, scoring and
 * repair, with stages, memories and repair runs in the search's run folder (resumed after a crash).
 */
final class StagedCapacityRun {
    /**
     * A staged strategy: the texts long enough for the grid's shortest length (as the grid runs them), up to
     * the longest grid length, crammed by {@link StagedSchedule#crammer} through a {@link ProgressiveRunner}
     * (stages and their memories in {@code folder}, resumed), then {@link StagedScoring#fromStages} from
     * the saved memories and the paper's rule over the per-text accuracies.
     */
    static CapacitySearch.Result run(CapacitySearch search, ExperimentRunner runner, RunFolder folder) {
        return new StagedCapacityRun(search).run(runner, folder);
    }

    private final CapacitySearch search;
    private final SearchMethod st;
    private final String name;
    private final String modelId;
    private final int nMem;
    private final long seed;

    private StagedCapacityRun(CapacitySearch search) {
        this.search = search;
        this.st = search.method();
        this.name = search.name();
        this.modelId = search.modelId();
        this.nMem = search.nMem();
        this.seed = search.seed();
    }

    private CapacitySearch.Result run(ExperimentRunner runner, RunFolder folder) {
        return runner.runJob(name, Path.of(search.modelDir()), folder, (model, resolve, batchSize, progress) -> {
            int hidden = model.info().hiddenSize();
            CramSettings stage = CramSettings.builder().optOptimiser(search.settings()).optMaxSteps(st.stageSteps())
                    .optPatience(st.stagePatience()).optBatchSize(batchSize).optSeed(seed).optModelId(modelId).build();
            List<Integer> grid = fittingGrid(model);
            Supplier<ProgressiveCrammer> crammers = () -> StagedSchedule.crammer(model, st.strategy(), grid, stage, st.grow(), false);
            StagedScoring scoring = new StagedScoring(model, nMem, grid, stage);
            int maxGrid = search.grid().get(search.grid().size() - 1);
            List<ProgressiveCrammer.Task> tasks = new ArrayList<>();
            for (CapacitySearch.Candidate c : search.texts()) {
                if (c.tokens() < search.grid().get(0)) continue;
                int[] ids = resolve.apply(c.text(), Math.min(maxGrid, c.tokens()));
                // a learned init starts the first stage from its start for the text (null: the seeded noise)
                float[] start = runner.init() == null ? null : runner.init().startFor(model, ids);
                tasks.add(new ProgressiveCrammer.Task(c.text().id(), c.text().source().id(), ids, nMem, seed, start));
            }
            List<ProgressiveRecord> records;
            try (Progress bar = progress.start(name + " (" + st.name() + ")", tasks.size())) {
                records = new ProgressiveRunner(crammers.get(), modelId, hidden).run(tasks, folder,
                        new StageProgress(bar));
            }
            Map<String, Map<Integer, float[]>> memories = new LinkedHashMap<>();
            for (ProgressiveRecord r : records) {
                for (ProgressiveRecord.Stage s : r.stages()) {
                    memories.computeIfAbsent(r.textId(), k -> new TreeMap<>())
                            .put(s.length(), Memory.load(folder.root().resolve(s.memoryFile()), nMem, hidden));
                }
            }
            SearchResult staged = scoring.fromStages(st.strategy(), records, memories);
            if (st.repair()) {
                staged = new Repair(scoring).run(staged, memories, repairRuns(runner, folder, model, crammers, hidden, progress),
                        new ProgressiveCrammer.Listener() {});
            }
            List<Aggregates.LengthStats> stats = Aggregates.perLength(staged.accuracy());
            int capacity = Aggregates.decodingCapacity(stats, search.grid()).orElse(0);
            double theoretical = Metrics.theoreticalCapacity(hidden, model.info().vocabSize());
            return new CapacitySearch.Result(modelId, nMem, st.name() + (st.repair() ? "+repair" : ""), stats, capacity, capacity, theoretical,
                    0, Double.NaN, Double.NaN, Double.NaN, staged.optimisationSteps());
        });
    }

    /**
     * A staged search's repair in {@code folder}: each retry is exactly the grid's run of that text and length
     * ({@link CapacitySearch#runsAt}: this search's settings, K and seed), run by {@code runner} on the job's model and kept
     * as an ordinary run record with its memory (a rerun finds it and computes nothing); a repaired text
     * continues its stages through a {@link ProgressiveRunner} in the same folder, keyed by the stages it
     * continues from.
     */
    private RepairRuns repairRuns(ExperimentRunner runner, RunFolder folder, CausalLM model, Supplier<ProgressiveCrammer> crammers,
            int hidden, Progress.Starter progress) {
        Map<String, CapacitySearch.Candidate> byId = new LinkedHashMap<>();
        search.texts().forEach(c -> byId.put(c.text().id(), c));
        return new RepairRuns() {
            @Override
            public Retry gridRun(ProgressiveRecord text, int length) {
                TextSpec spec = byId.get(text.textId()).text();
                RunSpec run = search.runsAt(length).stream().filter(r -> r.text().equals(spec)).findFirst().orElseThrow();
                RunRecord record = runner.runOn(model, new ExperimentPlan(name + " repair", List.of(run)), folder).records().get(0);
                return new Retry(record, Memory.load(folder.memoryFile(record.runId()), nMem, hidden),
                        RunFolder.relativeMemoryFile(record.runId()));
            }

            @Override
            public List<ProgressiveRecord> stages(List<ProgressiveCrammer.Task> resumed, ProgressiveCrammer.Listener listener) {
                try (Progress bar = progress.start(name + " (" + st.name() + ", repaired texts)", resumed.size())) {
                    ProgressiveCrammer.Listener shown = new StageProgress(bar);
                    return new ProgressiveRunner(crammers.get(), modelId, hidden).run(resumed, folder,
                            new ProgressiveCrammer.Listener() {
                                @Override
                                public void onStep(org.cramlab.cram.RunListener.Step p) {
                                    shown.onStep(p);
                                }

                                @Override
                                public void onStage(ProgressiveCrammer.Task task, ProgressiveRecord.Stage stage, float[] memory) {
                                    listener.onStage(task, stage, memory); // the repair keeps the memory
                                }

                                @Override
                                public void onText(ProgressiveRecord record) {
                                    shown.onText(record);
                                }
                            });
                }
            }
        };
    }

    /**
     * The search's grid lengths this model runs with K memory vectors, ascending (the in-memory search's grid;
     * a one-line error when none fits).
     */
    private List<Integer> fittingGrid(CausalLM model) {
        List<Integer> grid = CapacityRule.fittingLengths(search.grid(), nMem, model.info().maxPositions()).stream()
                .sorted().distinct().toList();
        if (grid.isEmpty()) {
            throw new CramException("no length in " + search.grid() + " fits: need max(2, K) <= L <= "
                    + (model.info().maxPositions() - nMem));
        }
        return grid;
    }
}
