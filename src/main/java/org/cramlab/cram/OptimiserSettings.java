package org.cramlab.cram;

import com.google.gson.JsonDeserializationContext;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.annotations.JsonAdapter;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cramlab.core.Json;

/**
 * The optimiser and its step budget (paper section 1.2; its code's {@code train.py}): the AdamW
 * hyper-parameters {@link AdamW} follows and when a run gives up. The one place the paper's values are
 * written down: the engine's {@link CramSettings}, the plans' runs and the command-line defaults all start
 * from {@link #paper()}. Part of a planned run's identity: its JSON (snake_case, in this order) is hashed
 * into the run id, so changing any of them gives a new run.
 *
 * @param lr AdamW learning rate
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param weightDecay AdamW decoupled weight decay (torch multiplies it by lr)
 * @param eps AdamW epsilon, added to the bias-corrected sqrt(v)
 * @param maxSteps at most this many optimisation steps (= recorded steps) per run
 * @param patience stop after this many consecutive steps without a strict accuracy improvement
 */
@JsonAdapter(OptimiserSettings.PaperDefaults.class)
public record OptimiserSettings(
        double lr, double beta1, double beta2, double weightDecay, double eps, int maxSteps, int patience) {

    /**
     * Largest learning rate accepted: Adam moves every coordinate by about lr per step, and input
     * embeddings have entries of order 0.01-1, so larger rates only diverge (1e30 did at step 2).
     */
    public static final double MAX_LR = 1.0;

    public OptimiserSettings {
        if (!(lr > 0 && lr <= MAX_LR)) {
            throw new CramException("lr must be a finite number in (0, " + MAX_LR + "] (the paper uses 0.01), got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new CramException("AdamW betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new CramException("AdamW weight decay must be a finite number >= 0, got " + weightDecay);
        }
        if (!(eps >= 0 && Double.isFinite(eps))) { // torch's own checks: 0 <= eps, 0 <= weight decay, betas in [0, 1)
            throw new CramException("AdamW eps must be a finite number >= 0, got " + eps);
        }
        if (maxSteps < 1) throw new CramException("optimiser max_steps must be >= 1, got " + maxSteps);
        if (patience < 1) throw new CramException("optimiser patience must be >= 1, got " + patience);
    }

    /**
     * The paper's code: AdamW lr 1e-2, betas (0.9, 0.9), weight decay 0.01, torch's default eps 1e-8, no
     * schedule, at most 5000 steps, patience 2000.
     */
    public static OptimiserSettings paper() {
        return new OptimiserSettings(1e-2, 0.9, 0.9, 0.01, 1e-8, 5000, 2000);
    }

    /** Same settings with another learning rate. */
    public OptimiserSettings withLr(double newLr) {
        return new OptimiserSettings(newLr, beta1, beta2, weightDecay, eps, maxSteps, patience);
    }

    /** Same settings with other AdamW betas. */
    public OptimiserSettings withBetas(double newBeta1, double newBeta2) {
        return new OptimiserSettings(lr, newBeta1, newBeta2, weightDecay, eps, maxSteps, patience);
    }

    /** Same settings with another weight decay. */
    public OptimiserSettings withWeightDecay(double newWeightDecay) {
        return new OptimiserSettings(lr, beta1, beta2, newWeightDecay, eps, maxSteps, patience);
    }

    /** Same settings with another epsilon. */
    public OptimiserSettings withEps(double newEps) {
        return new OptimiserSettings(lr, beta1, beta2, weightDecay, newEps, maxSteps, patience);
    }

    /** Same settings with another step cap and patience. */
    public OptimiserSettings withSteps(int newMaxSteps, int newPatience) {
        return new OptimiserSettings(lr, beta1, beta2, weightDecay, eps, newMaxSteps, newPatience);
    }

    /**
     * The map stored in a run record's settings: every component under its JSON name (snake_case, as in
     * plans), in declaration order, boxed as declared (so {@code max_steps} stays an integer).
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            for (RecordComponent c : OptimiserSettings.class.getRecordComponents()) {
                Field f = OptimiserSettings.class.getDeclaredField(c.getName());
                m.put(Json.COMPACT.fieldNamingStrategy().translateName(f), c.getAccessor().invoke(this));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("a record's components are always readable", e);
        }
        return m;
    }

    /**
     * Reads settings JSON (a plan's) over the paper's values: a key left out is the paper's value, an unknown
     * key is an error naming it (a misspelt option must not silently fall back). Written as a plain record.
     */
    static final class PaperDefaults implements JsonDeserializer<OptimiserSettings> {
        @Override
        public OptimiserSettings deserialize(JsonElement json, Type type, JsonDeserializationContext ctx) {
            if (!json.isJsonObject()) throw new CramException("optimiser settings must be a JSON object, got " + json);
            JsonObject o = json.getAsJsonObject();
            OptimiserSettings p = paper();
            Map<String, Object> known = p.toMap();
            for (String key : o.keySet()) {
                if (!known.containsKey(key)) {
                    throw new CramException("optimiser settings have an unknown key '" + key + "'; expected " + known.keySet());
                }
            }
            try {
                return new OptimiserSettings(num(o, "lr", p.lr), num(o, "beta1", p.beta1), num(o, "beta2", p.beta2),
                        num(o, "weight_decay", p.weightDecay), num(o, "eps", p.eps), (int) num(o, "max_steps", p.maxSteps),
                        (int) num(o, "patience", p.patience));
            } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
                throw new CramException("optimiser settings " + o + " hold a value that is not a number: " + e.getMessage(), e);
            }
        }

        private static double num(JsonObject o, String key, double paper) {
            return o.has(key) ? o.get(key).getAsDouble() : paper;
        }
    }
}
