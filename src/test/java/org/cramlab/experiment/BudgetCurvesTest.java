package org.cramlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cramlab.experiment.BudgetCurves.Outcome;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class BudgetCurvesTest {

    /** Accuracy {@code before} until the first exact evaluation after {@code exactAt} updates (the run stops there). */
    static List<Double> exactAt(int exactAt, double before) {
        List<Double> a = new ArrayList<>();
        for (int i = 0; i < exactAt; i++) a.add(before);
        a.add(1.0);
        return a;
    }

    /** Never exact: {@code steps + 1} evaluations rising to {@code best}. */
    static List<Double> never(int steps, double best) {
        List<Double> a = new ArrayList<>();
        for (int i = 0; i <= steps; i++) a.add(best * i / steps);
        return a;
    }

    static Outcome run(String init, String text, int length, List<Double> acc) {
        return new Outcome("m", length, init, text, acc, length);
    }

    /**
     * Two texts at L = 4 and 8. t1: exact after 5 updates at L = 4, after 30 at L = 8. t2: exact after 12
     * at L = 4; at L = 8 it reaches 0.999 but never 1.0, so it never counts as solved.
     */
    static List<Outcome> handMade() {
        return List.of(
                run("random", "t1", 4, exactAt(5, 0.5)),
                run("random", "t2", 4, exactAt(12, 0.5)),
                run("random", "t1", 8, exactAt(30, 0.8)),
                run("random", "t2", 8, never(100, 0.999)));
    }

    @Test
    void knownFirstExactStepsGiveTheKnownCurve() {
        Table curve = BudgetCurves.curve(handMade(), List.of(4, 5, 20, 50, 100));
        assertEquals(5, curve.rowCount());
        // budget 4: nothing exact; 5: t1 at L=4 exactly on the budget (mean acc at L=4: (1.0 + 0.5) / 2, fails);
        // 100: t2's 0.999 at L = 8 lifts the mean there over 0.99 (the paper's rule reads accuracy, not exactness)
        assertEquals(List.of(0, 0, 4, 4, 8), curve.intColumn("capacity").asList());
        // longest exact length per text, averaged: t2 at L = 8 never counts, even at 0.999
        assertEquals(List.of(0.0, 2.0, 4.0, 6.0, 6.0), curve.doubleColumn("mean_longest_solved").asList());
    }

    @Test
    void aLengthPassesOnTheMeanBestAccuracyWithinTheBudget() {
        // at budget 100 L = 8 has mean best (1.0 + 0.999) / 2 >= 0.99: the paper's rule passes it,
        // though t2 is not exact there
        Table curve = BudgetCurves.curve(List.of(run("random", "t1", 8, exactAt(30, 0.8)),
                run("random", "t2", 8, never(100, 0.999))), List.of(50, 100));
        assertEquals(List.of(0, 8), curve.intColumn("capacity").asList());
        assertEquals(List.of(4.0, 4.0), curve.doubleColumn("mean_longest_solved").asList());
    }

    @Test
    void stepsCountNeverExactRunsAsTheCapAndCompareWithRandom() {
        List<Outcome> outcomes = new ArrayList<>(handMade());
        outcomes.add(run("mean", "t1", 8, exactAt(10, 0.8)));
        outcomes.add(run("mean", "t2", 8, exactAt(20, 0.8)));
        outcomes.add(0, run("mean", "t1", 4, exactAt(1, 0.5))); // before random's rows: the ratio still finds random
        Table steps = BudgetCurves.steps(outcomes, 100);
        Table at8 = steps.where(steps.intColumn("length").isEqualTo(8));
        Table random = at8.where(at8.stringColumn("init").isEqualTo("random"));
        Table mean = at8.where(at8.stringColumn("init").isEqualTo("mean"));
        assertEquals(1, random.intColumn("solved").get(0));
        assertEquals((30 + 100) / 2.0, random.doubleColumn("median_steps").get(0), 1e-9);
        assertEquals(15.0, mean.doubleColumn("median_steps").get(0), 1e-9);
        assertEquals(15.0 / 65.0, mean.doubleColumn("median_vs_random").get(0), 1e-9);
        assertEquals((1.0 + 0.999) / 2, random.doubleColumn("mean_best_accuracy").get(0), 1e-9);
    }

    @Test
    void fitCostsSetTheTrainingStepsAgainstTheStepsSaved() {
        List<Outcome> outcomes = new ArrayList<>(handMade());
        outcomes.add(run("mean", "t1", 8, exactAt(10, 0.8)));
        outcomes.add(run("mean", "t2", 8, exactAt(20, 0.8)));
        InitBudget exp = new InitBudget(List.of(), List.of(2), List.of(4, 8), 1, 1, 100, 1, 0, 0.01);
        Table costs = exp.fitCosts(new InitBudget.Result(outcomes, List.of(new InitBudget.Cost("m", 8, 3, 2, 12.5, 1000, 0.1)), 0));
        assertEquals(1, costs.rowCount(), "only inits with held-out runs at that length");
        assertEquals("mean", costs.stringColumn("init").get(0));
        assertEquals(65.0 - 15.0, costs.doubleColumn("steps_saved_per_text").get(0), 1e-9); // random (30 + 100) / 2
        assertEquals(1000 / 50.0, costs.doubleColumn("texts_to_repay").get(0), 1e-9);
        String md = BudgetCurves.markdown(costs);
        assertTrue(md.startsWith("| model_id | length | init |"), md);
        assertTrue(md.contains("| m | 8 | mean | 3 | 2 | 12.50 | 1000 | 0.10 | 50.00 | 20.00 |"), md);
    }

    @Test
    void stepsToExactAndBudgets() {
        Outcome o = run("random", "t", 4, exactAt(7, 0.5));
        assertEquals(7, o.stepsToExact());
        assertFalse(o.solvedWithin(6));
        assertTrue(o.solvedWithin(7));
        assertEquals(0.5, o.bestWithin(6));
        assertEquals(-1, run("random", "t", 4, never(10, 0.9)).stepsToExact());
        assertEquals(List.of(5, 10, 20, 50, 100), InitBudget.budgetsUpTo(100));
    }
}
