package org.cramlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * A loaded model run in part, without copying a weight: only its first N decoder layers (then the
 * final norm and head, as Progressive Cramming's cut models), and/or with the memory's attention knocked
 * out from a layer on (text positions may not attend to the first K positions in layers >= l).
 *
 * <p>A view shares the model's weights and manager and does not own them: closing a view does nothing;
 * close the model it was made from.
 *
 * <pre>{@code
 * try (CausalLM model = Models.load(dir)) {
 *     CausalLM firstTwo = LayerView.truncated(model, 2);
 *     CausalLM blind = LayerView.knockout(model, 1, k); // layers 1.. cannot read the K memory positions
 * }
 * }</pre>
 */
public final class LayerView implements CausalLM {

    private final LoadedModel base;
    private final Restriction restriction;

    private LayerView(LoadedModel base, Restriction restriction) {
        this.base = base;
        this.restriction = restriction;
    }

    /** Number of decoder layers of a loaded model (of the view's model for a view). */
    public static int layersOf(CausalLM model) {
        return loaded(model).layerCount();
    }

    /** The model's first {@code n} decoder layers, final norm and head; n in 1..layers. */
    public static LayerView truncated(CausalLM model, int n) {
        LoadedModel base = loaded(model);
        int all = base.layerCount();
        if (n < 1 || n > all) {
            throw new ModelException("--layers must be in 1.." + all + " (the decoder layers of " + model.info().modelId()
                    + "), got " + n);
        }
        Restriction r = model instanceof LayerView v ? v.restriction : Restriction.all(all);
        return new LayerView(base, new Restriction(n, r.knockoutFrom(), r.memoryPositions()));
    }

    /**
     * The model (or view) with layers {@code >= fromLayer} (0-based) unable to attend from text positions to
     * the first {@code memoryPositions} positions. fromLayer >= the layers run changes nothing.
     */
    public static LayerView knockout(CausalLM model, int fromLayer, int memoryPositions) {
        LoadedModel base = loaded(model);
        if (fromLayer < 0) {
            throw new ModelException("knockout layer must be >= 0, got " + fromLayer);
        }
        if (memoryPositions < 1) {
            throw new ModelException("knockout needs >= 1 memory position, got " + memoryPositions);
        }
        Restriction r = model instanceof LayerView v ? v.restriction : Restriction.all(base.layerCount());
        if (!(base instanceof DecoderModel)) {
            throw Restriction.noAttention(base.info());
        }
        return new LayerView(base, r.withKnockout(fromLayer, memoryPositions));
    }

    private static LoadedModel loaded(CausalLM model) {
        if (model instanceof LayerView v) {
            return v.base;
        }
        if (model instanceof LoadedModel m) {
            return m;
        }
        throw new ModelException("layer views need a model loaded by Models.load, got " + model.getClass().getSimpleName());
    }

    /** Decoder layers this view runs. */
    public int layers() {
        return restriction.layers();
    }

    /** Whether it runs fewer layers than the model has. */
    public boolean isTruncated() {
        return restriction.layers() < base.layerCount();
    }

    @Override
    public ModelInfo info() {
        return base.info();
    }

    @Override
    public NDArray embed(NDArray tokenIds) {
        return base.embed(tokenIds);
    }

    @Override
    public NDArray embeddingMatrix() {
        return base.embeddingMatrix();
    }

    @Override
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask) {
        return base.forward(inputsEmbeds, attentionMask, restriction);
    }

    @Override
    public DecodeState newDecodeState(NDManager manager) {
        return base.newDecodeState(manager);
    }

    @Override
    public NDArray forwardIncremental(NDArray inputsEmbeds, DecodeState state) {
        return base.forwardIncremental(inputsEmbeds, state, restriction);
    }

    @Override
    public NDList parameters() {
        return base.parameters();
    }

    @Override
    public void setTrainable(boolean trainable) {
        base.setTrainable(trainable);
    }

    @Override
    public NDManager manager() {
        return base.manager();
    }

    /** Does nothing: the view does not own the model. */
    @Override
    public void close() {}
}
