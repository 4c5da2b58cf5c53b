package org.cramlab.notebook;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.cramlab.core.Progress;
import org.cramlab.cram.RunRecord;
import org.cramlab.experiment.CapacityVsLength;
import org.cramlab.run.ExperimentPlan;
import org.cramlab.run.ExperimentRunner;
import org.cramlab.run.Profile;
import org.cramlab.run.RecordStore;
import org.cramlab.run.RunFolder;
import org.cramlab.model.TorchThreads;
import org.cramlab.report.Figures;
import org.cramlab.report.Html;
import org.cramlab.report.Report;
import org.cramlab.sweep.Sweep;
import org.cramlab.sweep.SweepStatus;
import org.cramlab.train.DefaultModel;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * Everything a notebook needs, from one call: the profile (from the {@code CRAMLAB_*} environment
 * variables), its run folder, an experiment runner whose progress updates in place, and a report that
 * saves each table and figure into the run folder while showing it.
 *
 * <pre>{@code
 * Lab lab = Lab.open("capacity-k1");
 * var result = lab.run(new CapacityVsLength(lab.profile()).plan());
 * lab.figure("accuracy-vs-length", Figures.accuracyVsLength(CapacityVsLength.accuracyByLength(result.records())));
 * }</pre>
 *
 * {@link #open(String)} shows output through {@link DisplayHooks} (cramlab's kernel registers them; on
 * IJava/JJava their display API is found by reflection; elsewhere plain text). The two-argument form takes
 * the kernel's {@code display} and {@code updateDisplay} explicitly, for a kernel none of those cover:
 * {@code Lab.open("capacity-k1", h -> display(h, "text/html"), (id, h) -> updateDisplay(id, h, "text/html"))}.
 */
public final class Lab {
    private final Profile profile;
    private final Path out;
    private final Function<String, String> display;
    private final BiConsumer<String, String> update;
    private final Progress.Starter progress;
    private final Report report;
    private ExperimentRunner runner;

    private Lab(Profile profile, Path out, Function<String, String> display, BiConsumer<String, String> update,
            Report report) {
        this.profile = profile;
        this.out = out;
        this.display = display;
        this.update = update;
        this.progress = NotebookProgress.starter(display, update);
        this.report = report;
    }

    /**
     * Opens the lab of a notebook whose run folder is {@code runFolder} (under {@code CRAMLAB_OUT}, else
     * {@code out/runs} of this checkout; notebooks that share a folder reuse each other's runs) and
     * prints the profile, models, seed and run folder. Output is shown with {@link DisplayHooks#find()}.
     *
     * @param runFolder a plain folder name
     */
    public static Lab open(String runFolder) {
        DisplayHooks.Hooks hooks = DisplayHooks.find();
        return open(runFolder, hooks.show(), hooks.replace());
    }

    /**
     * {@link #open(String)} with the kernel's display functions given explicitly (upstream IJava-style
     * kernels: {@code h -> display(h, "text/html")} and {@code (id, h) -> updateDisplay(id, h, "text/html")}).
     *
     * @param runFolder a plain folder name
     * @param display the kernel's {@code display}: shows HTML, returns the output's id
     * @param update the kernel's {@code updateDisplay}: replaces the output with that id
     */
    public static Lab open(String runFolder, Function<String, String> display, BiConsumer<String, String> update) {
        return open(runFolder, System.getenv(), DefaultModel.directory(), display, update);
    }

    /** {@link #open(String, Function, BiConsumer)} with explicit variables and default model (for tests). */
    static Lab open(String runFolder, Map<String, String> env, Path defaultModel, Function<String, String> display,
            BiConsumer<String, String> update) {
        if (runFolder == null || runFolder.isBlank() || runFolder.contains("/") || runFolder.contains("\\")) {
            throw new NotebookException("run folder must be a plain folder name, got '" + runFolder + "'");
        }
        TorchThreads.configureFromEnvironment(); // before any cell starts the engine (see TorchThreads)
        Profile profile = Profile.fromEnv(env, defaultModel);
        Path out = Profile.outDir(env, runFolder);
        Lab lab = new Lab(profile, out, display, update, Report.in(out));
        System.out.println("profile " + profile.name() + ", models " + profile.modelDirs() + ", seed " + profile.seed());
        System.out.println("run folder " + out.toAbsolutePath().normalize());
        return lab;
    }

    public Profile profile() {
        return profile;
    }

    /** The run folder: records, memories, and the report's tables and figures. */
    public Path out() {
        return out;
    }

    /** Where tables and figures are saved ({@code <run folder>/report}). */
    public Report report() {
        return report;
    }

    /** Progress shown in the notebook, updated in place. */
    public Progress.Starter progress() {
        return progress;
    }

    /** The profile's experiment runner, showing its progress in the notebook. */
    public ExperimentRunner runner() {
        if (runner == null) {
            runner = ExperimentRunner.forProfile(profile, progress);
        }
        return runner;
    }

    /**
     * Runs what is missing of {@code plan} into the run folder (finished runs are read back, not
     * recomputed) and says how many runs were computed and how many reused.
     */
    public ExperimentRunner.Result run(ExperimentPlan plan) {
        ExperimentRunner.Result result;
        try (RunFolder folder = RunFolder.open(out)) {
            result = runner().run(plan, folder);
        }
        System.out.println(result.computed() + " runs computed, " + result.reused() + " read back from the run folder");
        return result;
    }

    /** Shows HTML in a new output and returns its id. */
    public String show(String html) {
        return display.apply(html);
    }

    /** Shows a table (at most 60 rows) without saving it. */
    public void show(Table table) {
        show(table, 60);
    }

    /** Shows a table, at most {@code maxRows} rows of it, without saving it. */
    public void show(Table table, int maxRows) {
        show(Html.table(table, maxRows));
    }

    /** Replaces the output {@code id} with {@code html}. */
    public void replace(String id, String html) {
        update.accept(id, html);
    }

    /** Saves {@code <name>.csv} into the report folder and shows the table. */
    public void table(String name, Table table) {
        show(report.table(name, table));
    }

    /** Saves {@code <name>.csv} into the report folder without showing it (tables too long to read). */
    public void save(String name, Table table) {
        report.table(name, table);
    }

    /** Saves {@code <name>.html} and {@code <name>.png} into the report folder and shows the figure. */
    public void figure(String name, Figure figure) {
        show(report.figure(name, figure));
    }

    /** A notebook parameter from the environment ({@code name}, e.g. {@code CRAMLAB_LENGTH}), else {@code fallback}. */
    public int intParam(String name, int fallback) {
        return intParam(System.getenv(), name, fallback);
    }

    static int intParam(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new NotebookException(name + " must be an integer, got '" + v + "'");
        }
    }

    /** A notebook parameter from the environment, else {@code fallback}. */
    public String param(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    /**
     * Shows a plan's progress in {@code runDir} until every run is recorded or its Slurm job has left the
     * queue: runs done per shard (read from the records, the same for local and Slurm runs) and the
     * accuracy-vs-length plot of what is recorded so far, both updated in place.
     */
    public SweepStatus watch(ExperimentPlan plan, Path runDir, Duration every) {
        show(Html.plotlyScript()); // once, in an output that stays: the plot below is replaced
        String statusId = show("<pre>reading " + Html.escape(runDir.toString()) + "</pre>");
        String plotId = show("<i>no run recorded yet</i>");
        int[] plotted = {-1};
        return Sweep.watch(plan, runDir, every, st -> {
            replace(statusId, "<pre>" + Html.escape(st.render()) + "</pre>");
            if (st.done() > 0 && st.done() != plotted[0]) {
                plotted[0] = st.done();
                List<RunRecord> sofar = RecordStore.read(runDir).of(plan);
                replace(plotId, Html.figureFragmentWithImage(Figures.accuracyVsLength(CapacityVsLength.accuracyByLength(sofar)), false));
            }
        });
    }
}
