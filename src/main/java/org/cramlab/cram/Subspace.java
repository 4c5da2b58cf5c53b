package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import java.util.Random;
import org.cramlab.model.CausalLM;

/**
 * A fixed rank-k basis U [k, d] (orthonormal rows) inside which a memory is optimised (Progressive
 * Cramming's subspace experiment): memory = offset + z U with only z [K, k] trainable.
 *
 * <p>The run starts from z = init U^T and offset = init - z U (the part of the init outside the
 * subspace, kept fixed), so the first memory is the init whatever the basis, and with the identity
 * basis (k = d) z is the plain memory itself: every product with U is exact, and the run is the plain
 * run bit for bit.
 *
 * @param kind how the basis was chosen (random, embeddings, pca, identity), for records
 * @param k the rank
 * @param d the model's width
 * @param basis row-major [k, d], orthonormal rows
 */
public record Subspace(String kind, int k, int d, float[] basis) {

    /** The kinds {@code --subspace k:KIND} takes. */
    public enum Kind {
        /** Gaussian rows, orthonormalised (seeded). */
        RANDOM,
        /** The top-k principal directions of the input-embedding matrix's rows. */
        EMBEDDINGS,
        /** The top-k principal directions of solved memories (library only: {@link #principal}). */
        PCA,
        /** The first k unit vectors; k = d is the plain memory. */
        IDENTITY;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A parsed {@code k[:kind]} option. */
    public record Spec(int k, Kind kind) {
        /** Parses {@code k[:random|embeddings|pca|identity]} (default kind random). */
        public static Spec parse(String option) {
            String s = option == null ? "" : option.strip();
            int colon = s.indexOf(':');
            String rank = colon < 0 ? s : s.substring(0, colon);
            String kindName = colon < 0 ? "random" : s.substring(colon + 1).strip();
            int k;
            try {
                k = Integer.parseInt(rank.strip());
            } catch (NumberFormatException e) {
                throw new CramException("--subspace must be k[:random|embeddings|pca|identity] with k a whole number, got '"
                        + option + "'");
            }
            if (k <= 0) {
                throw new CramException("--subspace rank k must be >= 1, got " + k);
            }
            Kind kind;
            try {
                kind = Kind.valueOf(kindName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CramException("--subspace basis must be random, embeddings, pca or identity, got '" + kindName + "'");
            }
            return new Spec(k, kind);
        }

        /** This spec's basis for {@code model}; pca needs solved memories, so it is built with {@link #principal}. */
        public Subspace build(CausalLM model, long seed) {
            int d = model.info().hiddenSize();
            checkRank(k, d, model.info().modelId());
            return switch (kind) {
                case RANDOM -> random(k, d, seed);
                case EMBEDDINGS -> embeddings(model, k);
                case IDENTITY -> identity(k, d);
                case PCA -> throw new CramException("--subspace " + k + ":pca needs solved memories: build the basis with"
                        + " Subspace.principal(memories, k, \"pca\") in the library, or use random or embeddings");
            };
        }
    }

    public Subspace {
        checkRank(k, d, "the model");
        if (basis.length != k * d) {
            throw new CramException("subspace basis has " + basis.length + " values, expected k*d = " + k + "*" + d);
        }
    }

    /** {@code k:kind}, as records store it. */
    public String label() {
        return k + ":" + kind;
    }

    private static void checkRank(int k, int d, String model) {
        if (k <= 0 || k > d) {
            throw new CramException("subspace rank k must be in 1.." + d + " (the width d of " + model + "), got " + k);
        }
    }

    /** The first k unit vectors of R^d. */
    public static Subspace identity(int k, int d) {
        float[] u = new float[k * d];
        for (int i = 0; i < k; i++) {
            u[i * d + i] = 1;
        }
        return new Subspace(Kind.IDENTITY.label(), k, d, u);
    }

    /** k Gaussian rows from {@code new Random(seed)}, orthonormalised. */
    public static Subspace random(int k, int d, long seed) {
        Random rng = new Random(seed);
        double[][] rows = new double[k][d];
        for (double[] r : rows) {
            for (int j = 0; j < d; j++) r[j] = rng.nextGaussian();
        }
        return new Subspace(Kind.RANDOM.label(), k, d, orthonormal(rows));
    }

    /** The top-k principal directions of the rows of the model's input-embedding matrix. */
    public static Subspace embeddings(CausalLM model, int k) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray e = model.embeddingMatrix().toType(DataType.FLOAT32, true);
            e.attach(m);
            return principal(e, k, Kind.EMBEDDINGS.label());
        }
    }

    /**
     * The top-k principal directions of {@code points} [n, d] (e.g. solved memories' rows): subspace
     * iteration on the covariance (Q C, then re-orthonormalised) until the basis stops moving. The rows
     * span the top-k eigenspace; within it their order is not guaranteed. Temporaries land in the
     * points' manager.
     */
    public static Subspace principal(NDArray points, int k, String kind) {
        int d = (int) points.getShape().get(1);
        checkRank(k, d, "the points");
        NDArray centred = points.sub(points.mean(new int[] {0}, true));
        NDArray cov = centred.transpose().matMul(centred);
        // a small shift keeps C Q full rank when the points span fewer than k directions (same eigenvectors)
        double shift = 1e-6 * cov.diagonal().sum().getFloat() / d + 1e-30;
        float[] q = random(k, d, 0).basis();
        for (int it = 0; it < 300; it++) {
            NDArray cur = points.getManager().create(q, new Shape(k, d));
            float[] cq = cur.matMul(cov).add(cur.mul(shift)).toFloatArray();
            float[] next = orthonormal(rows(cq, k, d));
            double moved = 0;
            for (int r = 0; r < k; r++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += (double) next[r * d + j] * q[r * d + j];
                moved = Math.max(moved, 1 - Math.abs(dot));
            }
            q = next;
            if (moved < 1e-7) break;
        }
        return new Subspace(kind, k, d, q);
    }

    private static double[][] rows(float[] u, int k, int d) {
        double[][] q = new double[k][d];
        for (int r = 0; r < k; r++) {
            for (int j = 0; j < d; j++) q[r][j] = u[r * d + j];
        }
        return q;
    }

    /** Modified Gram-Schmidt (twice, for float accuracy) of the rows; a dependent row fails. */
    private static float[] orthonormal(double[][] rows) {
        int k = rows.length;
        int d = rows[0].length;
        for (int pass = 0; pass < 2; pass++) {
            for (int r = 0; r < k; r++) {
                for (int p = 0; p < r; p++) {
                    double dot = 0;
                    for (int j = 0; j < d; j++) dot += rows[r][j] * rows[p][j];
                    for (int j = 0; j < d; j++) rows[r][j] -= dot * rows[p][j];
                }
                double norm = 0;
                for (int j = 0; j < d; j++) norm += rows[r][j] * rows[r][j];
                norm = Math.sqrt(norm);
                if (!(norm > 1e-12)) {
                    throw new CramException("subspace basis: direction " + r + " depends on the others (rank < " + k + ")");
                }
                for (int j = 0; j < d; j++) rows[r][j] /= norm;
            }
        }
        float[] out = new float[k * d];
        for (int r = 0; r < k; r++) {
            for (int j = 0; j < d; j++) out[r * d + j] = (float) rows[r][j];
        }
        return out;
    }

    /** The basis as an array [k, d] in {@code m}. */
    NDArray basis(NDManager m) {
        return m.create(basis, new Shape(k, d));
    }
}
