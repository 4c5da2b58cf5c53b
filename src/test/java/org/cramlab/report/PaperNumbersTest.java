package org.cramlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** The paper's numbers as cramlab carries them, including the v2 Mamba rows. */
class PaperNumbersTest {

    private static Table row(Table t, String model, String source) {
        Table r = t.where(t.stringColumn("model").isEqualTo(model).and(t.stringColumn("source").isEqualTo(source)));
        assertEquals(1, r.rowCount(), model + " " + source);
        return r;
    }

    @Test
    void table1HasOneRowPerModelAndSourceWithTheV2MambaRows() {
        Table t = PaperNumbers.table1();
        assertEquals(6 * 3 + 4 * 2, t.rowCount(), "v1: 6 models x 3 sources; v2 Mamba: 4 models x (PG-19, random)");
        Table m = row(t, "Mamba-130M", "pg19");
        assertEquals(32, m.intColumn("max_tokens").getInt(0));
        assertEquals("65.5\u00b118.1", m.stringColumn("token_gain").get(0));
        assertEquals("371.4\u00b194.6", m.stringColumn("information_gain_nats").get(0));
        assertEquals(288, row(t, "Mamba-1.4B", "random").intColumn("max_tokens").getInt(0));
        assertEquals(1568, row(t, "Llama-3.1-8B", "fanfics").intColumn("max_tokens").getInt(0));
        assertEquals(0, t.where(t.stringColumn("model").startsWith("Mamba").and(t.stringColumn("source").isEqualTo("fanfics")))
                .rowCount(), "no fanfics run for Mamba");
    }

    @Test
    void figure1HasTheMambaCapacities() {
        Table f = PaperNumbers.figure("figure1");
        assertEquals(14, f.rowCount());
        int[] want = {32, 128, 256, 512};
        String[] models = {"Mamba-130M", "Mamba-370M", "Mamba-790M", "Mamba-1.4B"};
        for (int i = 0; i < models.length; i++) {
            Table r = f.where(f.stringColumn("model").isEqualTo(models[i]));
            assertEquals(want[i], r.numberColumn("mean").getDouble(0), 0.0, models[i]);
        }
    }

    /**
     * Two independent transcriptions agree: Table 1's gains (typed in from the paper and its v2
     * notebook) round to the repository's models_list_add_mamba.csv (which the paper's Figure 5 reads).
     */
    @Test
    void table1AgreesWithTheRepositorysModelsList() {
        Table t = PaperNumbers.table1();
        Table list = PaperNumbers.modelsList();
        int compared = 0;
        for (int i = 0; i < list.rowCount(); i++) {
            String model = list.stringColumn("Model name").get(i);
            if (t.where(t.stringColumn("model").isEqualTo(model)).rowCount() == 0) {
                continue;
            }
            Table pg = row(t, model, "pg19");
            Table rnd = row(t, model, "random");
            assertEquals(list.numberColumn("PG-19, Gain, tokens").getDouble(i), pg.doubleColumn("token_gain_mean").get(0), 0.51, model);
            assertEquals(list.numberColumn("PG-19, CE Reduction").getDouble(i), pg.doubleColumn("information_gain_mean").get(0), 0.51, model);
            assertEquals(list.numberColumn("Random, Gain, tokens").getDouble(i), rnd.doubleColumn("token_gain_mean").get(0), 0.51, model);
            assertEquals(list.numberColumn("Random, CE Reduction").getDouble(i), rnd.doubleColumn("information_gain_mean").get(0), 0.51, model);
            compared++;
        }
        assertEquals(10, compared, "the 6 Table 1 models and the 4 Mamba models");
        assertTrue(list.stringColumn("Model name").contains("Mamba-1.4B"));
    }
}
