package org.cramlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** PCA against cases whose answer is known in closed form. */
class PcaTest {

    /** Points a*u + b*w with orthonormal u, w in 50 dims, a and b of known spread. */
    @Test
    void recoversTwoKnownAxesAndTheirVariance() {
        int dim = 50;
        double[] u = new double[dim];
        double[] w = new double[dim];
        u[3] = 0.6; u[7] = 0.8;         // unit, orthogonal to w
        w[10] = 1 / Math.sqrt(2); w[20] = -1 / Math.sqrt(2);
        double[] a = {-3, -1, 1, 3, 0, 0};   // variance along u: sum a^2 = 20
        double[] b = {0, 0, 0, 0, 1, -1};    // along w: sum b^2 = 2 (means are 0)
        float[][] pts = new float[a.length][dim];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < dim; j++) pts[i][j] = (float) (5 + a[i] * u[j] + b[i] * w[j]); // offset: PCA centres
        }
        Pca p = Pca.of(pts, 2);
        assertEquals(20.0 / 22, p.explained()[0], 1e-5);
        assertEquals(2.0 / 22, p.explained()[1], 1e-5);
        for (int i = 0; i < a.length; i++) {
            // scores are the coordinates on the axes, up to each axis's sign
            assertEquals(Math.abs(a[i]), Math.abs(p.scores()[i][0]), 1e-4, "point " + i);
            assertEquals(Math.abs(b[i]), Math.abs(p.scores()[i][1]), 1e-4, "point " + i);
        }
        double sign = Math.signum(p.scores()[0][0]) * Math.signum(a[0]);
        for (int i = 0; i < 4; i++) assertEquals(a[i], sign * p.scores()[i][0], 1e-4);
    }

    /** Explained variances sum to 1 over all axes and the scores keep pairwise distances. */
    @Test
    void allAxesKeepDistances() {
        Random r = new Random(1);
        float[][] pts = new float[5][30];
        for (float[] p : pts) for (int j = 0; j < p.length; j++) p[j] = (float) r.nextGaussian();
        Pca p = Pca.of(pts, 5);
        double sum = 0;
        for (double e : p.explained()) sum += e;
        assertEquals(1.0, sum, 1e-9);
        for (int x = 0; x < 5; x++) {
            for (int y = 0; y < 5; y++) {
                double d0 = 0;
                double d1 = 0;
                for (int j = 0; j < 30; j++) d0 += Math.pow(pts[x][j] - pts[y][j], 2);
                for (int k = 0; k < 5; k++) d1 += Math.pow(p.scores()[x][k] - p.scores()[y][k], 2);
                assertEquals(d0, d1, 1e-3 * Math.max(1, d0));
            }
        }
    }
}
