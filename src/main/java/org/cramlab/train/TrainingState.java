package org.cramlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Progress of a training run, saved next to each checkpoint ({@code state.json}).
 *
 * @param step optimizer steps done
 * @param tokens training tokens consumed
 * @param seconds wall-clock training seconds (all runs of a resumed training together)
 * @param losses {step, mean training loss} at every progress line
 */
public record TrainingState(int step, long tokens, double seconds, List<double[]> losses) {

    static final String FILE = "state.json";
    private static final Gson GSON = new GsonBuilder().create();

    public TrainingState {
        losses = List.copyOf(losses);
    }

    /** The saved state in {@code dir}, or a fresh one. */
    public static TrainingState read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return new TrainingState(0, 0, 0, List.of());
        }
        try {
            return GSON.fromJson(Files.readString(file), TrainingState.class);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("cannot read training state " + file + "; delete the checkpoint directory "
                    + "to start over", e instanceof IOException io ? io : new IOException(e));
        }
    }

    TrainingState withLoss(int atStep, double loss) {
        List<double[]> l = new ArrayList<>(losses);
        l.add(new double[] {atStep, loss});
        return new TrainingState(step, tokens, seconds, l);
    }

    TrainingState advance(int toStep, long moreTokens, double moreSeconds) {
        return new TrainingState(toStep, tokens + moreTokens, seconds + moreSeconds, losses);
    }

    /** Mean training loss of the last progress line, NaN before the first. */
    public double lastLoss() {
        return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1)[1];
    }

    void write(Path dir) {
        Path file = dir.resolve(FILE);
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, GSON.toJson(this));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
