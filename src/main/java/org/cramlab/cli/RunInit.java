package org.cramlab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cramlab.core.Json;
import org.cramlab.cram.CramException;

/**
 * The init a run folder's runs started from, kept in its params.json: run ids do not include the init, so a
 * folder resumed with another init would mix runs of two starts; that is refused.
 */
final class RunInit {

    /** The params.json key. */
    static final String KEY = "init";

    /** What params.json says for runs from the paper's random init. */
    static final String RANDOM = "random";

    private RunInit() {}

    /** Refuses {@code dir} when its params.json names another init than {@code label} (absent: random). */
    static void requireSame(Path dir, String label) {
        Path params = dir.resolve("params.json");
        if (!Files.isRegularFile(params)) return;
        Object before;
        try {
            before = Json.read(Files.readString(params), Map.class).getOrDefault(KEY, RANDOM);
        } catch (IOException | RuntimeException e) {
            return; // unreadable params: the runner rewrites them, and the records say each run's init
        }
        if (!label.equals(before)) {
            throw new CramException("--out " + dir + " holds runs started from '" + before + "', not from '" + label
                    + "': use another --out for runs with another --init");
        }
    }
}
