package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.cramlab.checkpoint.Safetensors;

/** Access to the golden fixtures made by transformers (src/test/resources/golden, see its README). */
final class Golden {

    private Golden() {}

    /** The directory of a golden case. */
    static Path dir(String name) {
        try {
            return Paths.get(Golden.class.getResource("/golden/" + name + "/config.json").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("golden case " + name + " missing from test resources", e);
        }
    }

    /** All tensors of a case's reference.safetensors, in their stored dtype. */
    static Map<String, NDArray> reference(String name, NDManager m) {
        Map<String, NDArray> out = new HashMap<>();
        try (Safetensors st = Safetensors.open(dir(name).resolve("reference.safetensors"))) {
            for (String n : st.names()) {
                out.put(n, st.load(n, m));
            }
        }
        return out;
    }

    /** max |a - b|. */
    static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    /** Mean shifted cross-entropy (nats) of logits [1, T, V] predicting ids [1, T] one step ahead. */
    static NDArray shiftedCrossEntropy(NDArray logits, NDArray ids) {
        long t = logits.getShape().get(1);
        long v = logits.getShape().get(2);
        NDArray logp = logits.get(new NDIndex(":, :{}, :", t - 1)).logSoftmax(-1);
        NDArray target = ids.get(new NDIndex(":, 1:")).oneHot((int) v).toType(logp.getDataType(), false);
        return logp.mul(target).sum().neg().div(t - 1);
    }
}
