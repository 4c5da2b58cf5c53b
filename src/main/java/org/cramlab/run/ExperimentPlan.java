package org.cramlab.run;

import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cramlab.capacity.SearchMethod;
import org.cramlab.capacity.Strategy;
import org.cramlab.core.CramlabException;
import org.cramlab.core.Json;
import org.cramlab.core.JsonErrors;

/**
 * A grid of runs. The notebooks and the {@code sweep} command build and read plans the same way; a plan
 * file is this record as indented JSON.
 *
 * @param name the experiment's name (e.g. capacity-vs-length)
 * @param runs the runs, each with a stable {@link RunSpec#runId()}; ids are unique within a plan
 * @param strategy how a capacity search runs them: {@code grid} (the paper: every run from scratch, the
 *     default and the one plan files written before strategies load as), {@code warm}, {@code bisect} or
 *     {@code progressive} (see {@link org.cramlab.capacity.Strategy}); a staged strategy's plan
 *     lists the grid's runs all the same: they name the texts, lengths, K, seed and settings it searches
 * @param stageSteps staged strategies: step budget of each stage; null for grid
 * @param stagePatience staged strategies: a stage stops after this many steps without improvement; null for
 *     grid (a plan written before it was recorded: the stage budget, as then)
 * @param grow progressive: tokens added per stage; null for grid
 * @param repair staged strategies: whether the capacity boundary is repaired with the grid's own runs (see
 *     {@link org.cramlab.capacity.Repair}); null for grid (a staged plan written before repair was recorded
 *     either way: off, as then)
 */
public record ExperimentPlan(String name, List<RunSpec> runs, String strategy, Integer stageSteps, Integer stagePatience,
        Integer grow, Boolean repair) {

    /** What a staged plan gets where it does not say: {@link SearchMethod}'s defaults. */
    public static final int DEFAULT_STAGE_STEPS = SearchMethod.DEFAULT_STAGE_STEPS;
    public static final int DEFAULT_GROW = SearchMethod.DEFAULT_GROW;

    /** A grid plan. */
    public ExperimentPlan(String name, List<RunSpec> runs) {
        this(name, runs, null, null, null, null, null);
    }

    public ExperimentPlan {
        if (runs == null) throw new ExperimentException("plan '" + name + "' has no 'runs' array");
        strategy = strategy == null ? GRID : Strategy.parse(strategy).label();
        if (GRID.equals(strategy)) {
            if (stageSteps != null || stagePatience != null || grow != null || Boolean.TRUE.equals(repair)) {
                throw new ExperimentException("plan '" + name + "': stage_steps, stage_patience, grow and repair belong to"
                        + " the staged strategies (warm, bisect, progressive), not to grid");
            }
            repair = null;
        } else {
            stageSteps = stageSteps == null ? DEFAULT_STAGE_STEPS : stageSteps;
            stagePatience = stagePatience == null ? stageSteps : stagePatience;
            grow = grow == null ? DEFAULT_GROW : grow;
            repair = Boolean.TRUE.equals(repair);
            if (stageSteps < 1) throw new ExperimentException("plan '" + name + "': stage_steps must be >= 1, got " + stageSteps);
            if (stagePatience < 1) {
                throw new ExperimentException("plan '" + name + "': stage_patience must be >= 1, got " + stagePatience);
            }
            if (grow < 1) throw new ExperimentException("plan '" + name + "': grow must be >= 1 token, got " + grow);
        }
        runs = List.copyOf(runs);
        Set<String> seen = new HashSet<>();
        for (RunSpec r : runs) {
            if (!seen.add(r.runId())) {
                throw new ExperimentException("plan '" + name + "' lists run " + r.runId() + " twice (" + r.text().id()
                        + ", L=" + r.length() + ", K=" + r.nMem() + ", seed " + r.seed() + ")");
            }
        }
    }

    /** The default strategy: every run from scratch. */
    public static final String GRID = "grid";

    /**
     * This plan with another capacity strategy (grid, warm, bisect, progressive; a one-line error names them),
     * staged ones with {@link SearchMethod}'s defaults.
     */
    public ExperimentPlan withStrategy(String strategy) {
        return withStrategy(strategy, null, null, null, null);
    }

    /**
     * This plan with a staged strategy's stage budget, patience, growth and repair (null: {@link SearchMethod}'s
     * defaults), or with grid (all null, or repair false).
     */
    public ExperimentPlan withStrategy(String strategy, Integer stageSteps, Integer stagePatience, Integer grow, Boolean repair) {
        if (Strategy.parse(strategy).isStaged()) {
            stageSteps = stageSteps == null ? SearchMethod.DEFAULT_STAGE_STEPS : stageSteps;
            stagePatience = stagePatience == null ? SearchMethod.DEFAULT_STAGE_PATIENCE : stagePatience;
            repair = repair == null ? SearchMethod.DEFAULT_REPAIR : repair;
        }
        return new ExperimentPlan(name, runs, strategy, stageSteps, stagePatience, grow, repair);
    }

    /** This plan naming {@code method} (its strategy and, staged, its stage settings). */
    public ExperimentPlan withMethod(SearchMethod method) {
        return method.isStaged()
                ? withStrategy(method.name(), method.stageSteps(), method.stagePatience(), method.grow(), method.repair())
                : withStrategy(GRID);
    }

    /** The search method this plan names (grid: the paper's; grid refinement is not a plan's). */
    public SearchMethod method() {
        return isGrid() ? SearchMethod.grid()
                : SearchMethod.staged(Strategy.parse(strategy), stageSteps, stagePatience, grow, isRepair());
    }

    /** Whether a staged search of this plan repairs its capacity boundary. */
    public boolean isRepair() {
        return Boolean.TRUE.equals(repair);
    }

    /** Whether its runs are independent (grid), so a sweep can shard them. */
    public boolean isGrid() {
        return GRID.equals(strategy);
    }

    /**
     * This plan in exact mode: every run optimised alone, so results do not depend on batch composition and an
     * interrupted, resumed or sharded run of the plan reproduces the uninterrupted one bit for bit (slower than
     * batching; see {@link RunSpec#exact}).
     */
    public ExperimentPlan exact() {
        return new ExperimentPlan(name, runs.stream().map(RunSpec::asExact).toList(), strategy, stageSteps, stagePatience, grow,
                repair);
    }

    /** Whether every run is in exact mode. */
    public boolean isExact() {
        return !runs.isEmpty() && runs.stream().allMatch(RunSpec::isExact);
    }

    /** The runs whose ids are not in {@code done}, in plan order. */
    public List<RunSpec> missing(Set<String> done) {
        return runs.stream().filter(r -> !done.contains(r.runId())).toList();
    }

    /**
     * Shard {@code index} of {@code count} (0-based): the runs whose id, read as a number, is {@code index}
     * modulo {@code count}. Assignment depends on ids only, so any count works and shards never overlap.
     */
    public List<RunSpec> shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new ExperimentException("shard must be i/n with 0 <= i < n, got " + index + "/" + count);
        }
        List<RunSpec> out = new ArrayList<>();
        for (RunSpec r : runs) {
            if (Long.remainderUnsigned(Long.parseUnsignedLong(r.runId(), 16), count) == index) out.add(r);
        }
        return out;
    }

    /** Writes the plan as indented JSON (atomically: the old file stays whole if the write fails). */
    public void save(Path file) {
        try {
            // temporary file + rename: a full disk or a crash never leaves half a plan or a stray .tmp
            org.cramlab.core.AtomicFiles.writeString(file, Json.writePretty(this));
        } catch (IOException e) {
            throw new ExperimentException("cannot write plan file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a plan file written by {@link #save}. */
    public static ExperimentPlan load(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ExperimentException("cannot read plan file " + file + ": " + e.getMessage(), e);
        }
        try {
            ExperimentPlan plan = Json.read(json, ExperimentPlan.class);
            if (plan == null) throw new ExperimentException("plan file " + file + " is empty");
            return plan;
        } catch (JsonParseException e) {
            throw new ExperimentException("plan file " + file + " is not a valid plan: " + JsonErrors.describe(e, json, ExperimentPlan.class)
                    + " (a plan is {\"name\": ..., \"runs\": [...]}, as `plan` writes it)", e);
        } catch (RuntimeException e) {
            // Gson wraps exceptions thrown by record constructors; surface our validation message.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof CramlabException x) throw new ExperimentException("plan file " + file + ": " + x.getMessage(), x);
            }
            throw e;
        }
    }
}
