package org.cramlab.run;

import org.cramlab.text.BookCorpus;

/**
 * {@link Texts} for a plan read from a file (the {@code sweep} command has a plan, not a profile): the
 * same sources {@link Texts#forProfile} gives the plan's profile, since plans list the profile's first
 * model first.
 */
public final class PlanTexts {
    private PlanTexts() {}

    /** Text sources for {@code plan}; random texts without a vocabulary use {@link Texts#defaultWords}. */
    public static TextResolver forPlan(ExperimentPlan plan) {
        if (plan.runs().isEmpty()) throw new ExperimentException("plan '" + plan.name() + "' has no runs");
        return new Texts(Texts.defaultWords(plan.runs().get(0).modelDir()), BookCorpus::load);
    }
}
