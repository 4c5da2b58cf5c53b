package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CausalLM#hiddenStates} on every golden family: the head applied to the hidden states gives the model's
 * logits (float32 fixtures; max abs diff <= 1e-4, the golden logits tolerance).
 */
class HiddenStatesTest {

    static Stream<String> cases() {
        return Stream.concat(Stream.of(GoldenModelTest.CASES), Stream.of(GoldenModelTest.NO_ATTENTION_CASES));
    }

    /** The output projection by its checkpoint name, or the input embedding for a tied head. */
    static NDArray head(CausalLM model) {
        for (NDArray p : model.parameters()) {
            String n = p.getName();
            if (n != null && (n.endsWith("lm_head.weight") || n.equals("embed_out.weight"))) return p;
        }
        return model.embeddingMatrix();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theHeadOfTheHiddenStatesIsTheLogits(String name) {
        try (CausalLM model = Models.load(Golden.dir(name)); NDManager m = NDManager.newBaseManager()) {
            NDArray ids = Golden.reference(name, m).get("input_ids");
            NDArray x = model.embed(ids);
            NDArray hidden = model.hiddenStates(x, null);
            NDArray logits = model.forward(x, null);
            NDArray w = head(model).toType(DataType.FLOAT32, false);
            assertEquals(new Shape(ids.getShape().get(0), ids.getShape().get(1), w.getShape().get(1)), hidden.getShape());
            assertEquals(DataType.FLOAT32, hidden.getDataType());
            NDArray again = hidden.matMul(w.transpose());
            float diff = Golden.maxAbsDiff(again, logits);
            assertTrue(diff <= GoldenModelTest.LOGITS_TOL, name + ": head(hidden) vs logits diff " + diff);
            assertTrue(Golden.maxAbsDiff(hidden, x) > 1e-3f, name + ": the layers ran");
        }
    }

    @Test
    void aLayerViewRefusesInOneLine() {
        try (CausalLM model = Models.load(Golden.dir("llama")); NDManager m = NDManager.newBaseManager()) {
            CausalLM view = LayerView.truncated(model, 1);
            NDArray x = model.embed(Golden.reference("llama", m).get("input_ids"));
            ModelException e = assertThrows(ModelException.class, () -> view.hiddenStates(x, null));
            assertTrue(e.getMessage().contains("no hidden states") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
