package org.cramlab.experiment;

import java.nio.file.Path;
import org.cramlab.text.BookCorpus;
import org.cramlab.text.WordList;

/**
 * {@link Texts} for a plan read from a file (the {@code sweep} command has a plan, not a profile): the
 * same sources {@link Texts#forProfile} gives the plan's profile, since plans list the profile's first
 * model first.
 */
public final class PlanTexts {
    private PlanTexts() {}

    /** Text sources for {@code plan}; random texts default to its first model directory's {@code words.txt}. */
    public static TextResolver forPlan(ExperimentPlan plan) {
        if (plan.runs().isEmpty()) throw new ExperimentException("plan '" + plan.name() + "' has no runs");
        return new Texts(Path.of(plan.runs().get(0).modelDir()).resolve(WordList.FILE), BookCorpus::load);
    }
}
