package org.cramlab.cram;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import org.cramlab.model.CausalLM;
import org.cramlab.model.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression test for runs that drifted or diverged when the machine was busy: a garbage collection
 * between a step's forward and backward pass must not change anything. The engine calls
 * {@link RunListener#onStep} exactly there, so a listener that collects garbage frees every direct
 * buffer no live Java object refers to; a tensor autograd still needs for backward must not live in
 * such a buffer (it did: DJL's {@code x.mul(number)} for the attention scale, see
 * {@code Layers.constant}). The trajectory must then be bit-identical to one without GC.
 */
class GcDuringStepTest {

    private static CausalLM model;

    @BeforeAll
    static void load() {
        model = Models.load(TorchTraceTest.golden("llama"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void gcBetweenForwardAndBackwardChangesNothing() {
        List<CramTask> tasks = List.of(
                CramTask.ofIds(new int[] {1, 17, 99, 4, 230, 5, 61, 88, 9, 140, 33, 7}, 2),
                CramTask.ofIds(new int[] {1, 200, 3, 45, 6, 70, 8}, 1));
        CramSettings s = CramSettings.builder().optMaxSteps(8).optGreedyCheck(false).optBatchSize(2).build();
        List<CramResult> plain = new BatchedCrammer(model, s).run(tasks, RunListener.NONE);
        RunListener collector = new RunListener() {
            @Override
            public void onStep(Progress p) {
                collectGarbage();
            }
        };
        List<CramResult> collected = new BatchedCrammer(model, s).run(tasks, collector);
        for (int i = 0; i < tasks.size(); i++) {
            RunRecord a = plain.get(i).record();
            RunRecord b = collected.get(i).record();
            assertEquals(a.trajectory().steps(), b.trajectory().steps(), "steps of task " + i);
            // exact: the same ops on the same values; any difference means backward read freed memory
            assertEquals(a.trajectory().losses(), b.trajectory().losses(), "loss trace of task " + i);
        }
    }

    /**
     * A full GC, then waits until the reference handler has processed that GC's references (direct
     * buffers are freed by their cleaners on that thread): a fresh phantom-reachable object is
     * enqueued only after the GC found it.
     */
    static void collectGarbage() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        try {
            for (int i = 0; i < 50 && queue.poll() == null; i++) {
                System.gc();
                if (queue.remove(100) != null) {
                    break;
                }
            }
            System.gc(); // a second round: cleaners queued behind the sentinel have run too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sentinel.clear();
    }
}
