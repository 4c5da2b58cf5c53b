package org.cramlab.report;

import java.util.Arrays;

/**
 * Principal components of a few points in a high-dimensional space (e.g. a memory's trajectory across
 * progressive stages: n stages of K*d values). With n much smaller than the dimension, the components
 * come from the n x n Gram matrix of the centred points (its eigenvectors, by cyclic Jacobi rotations)
 * instead of the D x D covariance: the same non-zero variances, the projections directly.
 *
 * @param scores projections of the points on the first {@code components} principal axes, [n][components]
 * @param explained fraction of the total variance each of those axes explains (descending)
 */
public record Pca(double[][] scores, double[] explained) {

    /** The first {@code components} principal components of {@code points} ([n][D], n >= 1). */
    public static Pca of(float[][] points, int components) {
        int n = points.length;
        if (n == 0) throw new IllegalArgumentException("PCA needs at least one point");
        int dim = points[0].length;
        double[] mean = new double[dim];
        for (float[] p : points) {
            if (p.length != dim) throw new IllegalArgumentException("points differ in length: " + p.length + " vs " + dim);
            for (int j = 0; j < dim; j++) mean[j] += p[j] / (double) n;
        }
        double[][] gram = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double s = 0;
                for (int j = 0; j < dim; j++) s += (points[a][j] - mean[j]) * (points[b][j] - mean[j]);
                gram[a][b] = s;
                gram[b][a] = s;
            }
        }
        double[][] vectors = new double[n][n];
        double[] values = jacobi(gram, vectors);
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
        double total = Arrays.stream(values).map(v -> Math.max(0, v)).sum();
        int c = Math.min(components, n);
        double[][] scores = new double[n][components];
        double[] explained = new double[components];
        for (int k = 0; k < c; k++) {
            int e = order[k];
            double lambda = Math.max(0, values[e]);
            explained[k] = total > 0 ? lambda / total : 0;
            // point i's coordinate on axis k: sqrt(lambda) * (unit eigenvector of the Gram matrix)_i
            for (int i = 0; i < n; i++) scores[i][k] = Math.sqrt(lambda) * vectors[i][e];
        }
        return new Pca(scores, explained);
    }

    /** Eigenvalues of symmetric {@code a} (destroyed); eigenvectors into the columns of {@code v}. */
    private static double[] jacobi(double[][] a, double[][] v) {
        int n = a.length;
        for (int i = 0; i < n; i++) v[i][i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
            if (off < 1e-30) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(a[p][q]) < 1e-300) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) { // rotate columns p, q
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) { // rotate rows p, q
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = a[i][i];
        return d;
    }
}
