package org.cramlab.init;

/**
 * Closed-form ridge regression y = mean_y + (x - mean_x) W, solved in the dual (an n x n system, n = number of
 * training texts, usually far below the feature width d): W = Xc^T (Xc Xc^T + lambda' I)^-1 Yc with centred
 * Xc, Yc. lambda' = lambda * mean squared norm of the centred features, so lambda does not depend on the
 * embedding scale. Host arithmetic in float64.
 */
final class Ridge {

    private Ridge() {}

    /** Column means of rows. */
    static double[] mean(float[][] rows) {
        double[] m = new double[rows[0].length];
        for (float[] r : rows) {
            for (int j = 0; j < m.length; j++) m[j] += r[j];
        }
        for (int j = 0; j < m.length; j++) m[j] /= rows.length;
        return m;
    }

    /** W [d, m] row-major as float32, from features x [n][d] and targets y [n][m]. */
    static float[] fit(float[][] x, float[][] y, double lambda) {
        int n = x.length;
        int d = x[0].length;
        int m = y[0].length;
        double[] mx = mean(x);
        double[] my = mean(y);
        double[][] xc = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) xc[i][j] = x[i][j] - mx[j];
        }
        double[][] g = new double[n][n];
        double trace = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k <= i; k++) {
                double s = 0;
                for (int j = 0; j < d; j++) s += xc[i][j] * xc[k][j];
                g[i][k] = s;
                g[k][i] = s;
            }
            trace += g[i][i];
        }
        double ridge = trace > 0 ? lambda * trace / n : 1; // n = 1: all features equal, W = 0 whatever the ridge
        for (int i = 0; i < n; i++) g[i][i] += ridge;
        double[][] l = cholesky(g);
        float[] w = new float[d * m];
        double[] col = new double[n];
        for (int c = 0; c < m; c++) {
            for (int i = 0; i < n; i++) col[i] = y[i][c] - my[c];
            double[] alpha = solve(l, col);
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += xc[i][j] * alpha[i];
                w[j * m + c] = (float) s;
            }
        }
        return w;
    }

    private static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                if (i == j) {
                    if (!(s > 0)) throw new InitException("ridge system is not positive definite (ridge too small?)");
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    /** Solves L L^T a = b. */
    private static double[] solve(double[][] l, double[] b) {
        int n = b.length;
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i][k] * z[k];
            z[i] = s / l[i][i];
        }
        double[] a = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < n; k++) s -= l[k][i] * a[k];
            a[i] = s / l[i][i];
        }
        return a;
    }
}
