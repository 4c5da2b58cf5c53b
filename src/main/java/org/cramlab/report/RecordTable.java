package org.cramlab.report;

import java.util.Collection;
import org.cramlab.cram.RunRecord;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Run records as a Tablesaw table, one row per run (the per-step traces are left out). */
public final class RecordTable {
    private RecordTable() {}

    /** Columns: run_id, model_id, text_id, text_source, random, length, n_mem, seed, accuracies, CE (nats), gains, steps... */
    public static Table of(String name, Collection<RunRecord> records) {
        StringColumn runId = StringColumn.create("run_id"), model = StringColumn.create("model_id"),
                textId = StringColumn.create("text_id"), source = StringColumn.create("text_source"),
                stop = StringColumn.create("stop_reason");
        BooleanColumn random = BooleanColumn.create("random"), greedy = BooleanColumn.create("greedy_exact_match");
        IntColumn length = IntColumn.create("length"), nMem = IntColumn.create("n_mem"), steps = IntColumn.create("steps"),
                hidden = IntColumn.create("hidden_size"), vocab = IntColumn.create("vocab_size");
        DoubleColumn seed = DoubleColumn.create("seed"), origAcc = DoubleColumn.create("original_accuracy"),
                bestAcc = DoubleColumn.create("best_accuracy"), origCe = DoubleColumn.create("original_ce_nats"),
                bestCe = DoubleColumn.create("best_ce_nats"), info = DoubleColumn.create("information_gain_nats"),
                tokens = DoubleColumn.create("token_gain"), wall = DoubleColumn.create("wall_time_seconds");
        for (RunRecord r : records) {
            runId.append(r.runId());
            model.append(r.settings().modelId());
            textId.append(r.text().textId());
            source.append(r.text().textSource());
            random.append("random".equals(r.text().textSource()));
            length.append(r.text().length());
            nMem.append(r.settings().nMem());
            seed.append((double) r.settings().seed());
            hidden.append(r.environment().hiddenSize());
            vocab.append(r.environment().vocabSize());
            origAcc.append(r.metrics().originalAccuracy());
            bestAcc.append(r.metrics().bestAccuracy());
            origCe.append(r.metrics().originalCeNats());
            bestCe.append(r.metrics().bestCeNats());
            info.append(r.metrics().informationGainNats());
            tokens.append(r.metrics().tokenGain());
            steps.append(r.trajectory().steps());
            stop.append(r.trajectory().stopReason());
            greedy.append(r.metrics().greedyExactMatch());
            wall.append(r.trajectory().wallTimeSeconds());
        }
        return Table.create(name, runId, model, textId, source, random, length, nMem, seed, hidden, vocab, origAcc, bestAcc,
                origCe, bestCe, info, tokens, steps, stop, greedy, wall);
    }
}
