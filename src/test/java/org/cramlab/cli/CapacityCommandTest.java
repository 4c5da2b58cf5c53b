package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.cramlab.cram.RunRecord;
import org.cramlab.run.RecordStore;
import org.cramlab.run.TestRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capacity} end to end on the tiny golden Llama with the golden llama-style tokenizer (texts
 * chosen so that every id is below the model's 256), writing records, memories and a summary.
 */
class CapacityCommandTest {

    static Path modelWithTokenizer(Path dir) throws Exception {
        Path llama = Paths.get(CramCommandTest.llama());
        Path tok = llama.resolveSibling("tokenizers").resolve("llama_style");
        Path model = dir.resolve("tiny");
        Files.createDirectories(model);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(llama.resolve(f), model.resolve(f));
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(tok.resolve(f), model.resolve(f));
        }
        return model;
    }

    @Test
    void writesRecordsMemoriesAndSummary(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        // paper chunk format: the second half of each chunk's sentences is compressed
        Path csv = dir.resolve("chunks.csv");
        Files.writeString(csv, "id,text\n0,\"QZXJ KWVQ. 1234567890. 0987654321.\"\n1,\"zqxj. QZXJ QZXJ. 5555 6666.\"\n");
        Path out = dir.resolve("out");
        CramCommandTest.Outcome o = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", csv.toString(),
                "--lengths", "2,4,300", "--steps", "5", "--out", out.toString(), "--no-greedy");
        assertEquals(0, o.code(), o.err());
        // OUT is a run folder (records/<writer>.jsonl, memories/): the experiment runner's
        java.util.Collection<RunRecord> records = RecordStore.read(out).all();
        assertEquals(4, records.size(), "2 texts x lengths 2, 4 (300 + K exceeds 256 positions)");
        for (RunRecord r : records) {
            assertTrue(r.text().length() == 2 || r.text().length() == 4);
            assertTrue(Files.isRegularFile(out.resolve(r.memoryFile())), r.memoryFile());
            // text ids as the experiments name CSV texts (row index of the chunk file)
            assertTrue(r.text().textId().startsWith("csv:"), r.text().textId());
        }
        JsonObject summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
        JsonObject result = summary.getAsJsonObject("result");
        assertEquals(1, result.get("n_mem").getAsInt());
        assertEquals(2, result.getAsJsonArray("lengths").size());
        assertTrue(result.has("decoding_capacity"));
        assertEquals(16 * 64 / (Math.log(256) / Math.log(2)), result.get("theoretical_capacity").getAsDouble(), 1e-9);
        assertTrue(o.out().contains("decoding capacity (K=1): "), o.out());
    }

    @Test
    void missingTextsFileIsNamed(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        Path none = dir.resolve("none.csv");
        CramCommandTest.Outcome o = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", none.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--texts " + none + " does not exist"), o.err());
    }

    @Test
    void rerunComputesNothingAndBisectionRefines(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        Path texts = dir.resolve("lines.txt");
        Files.writeString(texts, "QZXJ KWVQ 1234567890 0987654321\n\nzqxj QZXJ QZXJ 5555 6666 7777\n");
        Path out = dir.resolve("out");
        String[] args = {"capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths", "2,8",
            "--steps", "40", "--lr", "0.5", "--bisect", "2", "--out", out.toString(), "--no-greedy"};
        CramCommandTest.Outcome first = CramCommandTest.run(args);
        assertEquals(0, first.code(), first.err());
        int runs = RecordStore.read(out).size();
        assertTrue(runs >= 4, "grid 2 and 8 for both texts: " + runs);
        JsonObject result = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonObject("result");
        int capacity = result.get("decoding_capacity").getAsInt();
        int bisected = result.get("bisected_capacity").getAsInt();
        assertTrue(bisected >= capacity && (capacity != 2 || runs == 8), "capacity " + capacity + ", bisected " + bisected
                + ", runs " + runs + " (L = 2 passing and 8 failing: 2 texts at 5, then at 3 or 6)");
        CramCommandTest.Outcome again = CramCommandTest.run(args);
        assertEquals(0, again.code(), again.err());
        assertEquals(runs, RecordStore.read(out).size(), "the rerun found every run in the folder");
        long lines = 0;
        try (var files = Files.list(out.resolve("records"))) {
            for (Path f : files.toList()) lines += Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count();
        }
        assertEquals(runs, lines, "no run was computed (and appended) twice");
        assertEquals(first.out(), again.out());
    }

    /**
     * {@code --strategy warm} against the grid on the tiny golden Llama: the same texts, grid and seed give the
     * capacity within one grid step (the toy with a capacity known by construction is CapacityTest's),
     * fewer optimisation steps, and both print their step totals.
     */
    @Test
    void warmStrategyFindsTheGridsCapacity(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        Path texts = dir.resolve("lines.txt");
        Files.writeString(texts, "QZXJ KWVQ 2345678909 0987654322 QZXJ KWVQ 2345\nzqxj QZXJ QZXJ 5555 6666 7777 5555 6666 7777 QZXJ\n");
        java.util.Map<String, Integer> capacity = new java.util.HashMap<>();
        java.util.Map<String, Long> steps = new java.util.HashMap<>();
        for (String strategy : List.of("grid", "warm", "warm+repair")) {
            Path out = dir.resolve(strategy);
            List<String> args = new java.util.ArrayList<>(List.of("capacity", "--model", model.toString(), "--texts", texts.toString(),
                    "--lengths", "2,4,24", "--steps", "200", "--lr", "0.5", "--strategy",
                    strategy.replace("+repair", ""), "--out", out.toString(), "--no-greedy"));
            if (!strategy.equals("grid")) { // grid refuses the staged options
                args.addAll(List.of("--stage-steps", "200", strategy.endsWith("+repair") ? "--repair" : "--no-repair"));
            }
            CramCommandTest.Outcome o = CramCommandTest.run(args.toArray(String[]::new));
            assertEquals(0, o.code(), o.err());
            JsonObject result = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject()
                    .getAsJsonObject("result");
            assertEquals(strategy, result.get("strategy").getAsString());
            capacity.put(strategy, result.get("decoding_capacity").getAsInt());
            steps.put(strategy, result.get("optimisation_steps").getAsLong());
            assertTrue(o.out().contains("strategy " + strategy + ": " + steps.get(strategy) + " optimisation steps in total"), o.out());
        }
        // the test of a strategy: grid's capacity within one grid step, for fewer steps (here grid's 200-step
        // runs leave one text at 5/6 at L=4, which warm, starting from the text's L=2 memory, solves: capacity 2 vs 4)
        List<Integer> grid = List.of(2, 4, 24);
        assertTrue(capacity.get("grid") >= 2 && capacity.get("grid") < 24, "grid: L=2 decodes, 24 does not: " + capacity);
        assertTrue(capacity.get("warm") >= 2 && capacity.get("warm") < 24, "warm: L=2 decodes, 24 does not: " + capacity);
        assertTrue(Math.abs(grid.indexOf(capacity.get("grid")) - grid.indexOf(capacity.get("warm"))) <= 1, capacity.toString());
        assertTrue(steps.get("warm") > 0 && steps.get("warm") < steps.get("grid"), steps.toString());
        // the repair's retries (at least one: L = 24 cannot pass) are grid runs: the same run ids as the grid's
        assertTrue(Math.abs(grid.indexOf(capacity.get("grid")) - grid.indexOf(capacity.get("warm+repair"))) <= 1, capacity.toString());
        java.util.Set<String> retries = org.cramlab.run.RecordStore.read(dir.resolve("warm+repair")).ids();
        assertTrue(!retries.isEmpty() && org.cramlab.run.RecordStore.read(dir.resolve("grid")).ids().containsAll(retries),
                retries.toString());
        assertTrue(steps.get("warm+repair") >= steps.get("warm"), steps.toString());
    }

    @Test
    void unknownStrategyIsOneLineNamingTheAllowedOnes(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        Path texts = dir.resolve("lines.txt");
        Files.writeString(texts, "QZXJ KWVQ 1234567890\n");
        CramCommandTest.Outcome o = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(),
                "--strategy", "binary", "--out", dir.resolve("out").toString());
        assertTrue(o.code() != 0);
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("grid, warm, bisect, progressive") && o.err().contains("'binary'"), o.err());
        assertTrue(Files.notExists(dir.resolve("out")), "nothing was run");
        CramCommandTest.Outcome b = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(),
                "--strategy", "warm", "--bisect", "2", "--out", dir.resolve("out").toString());
        assertTrue(b.code() != 0);
        assertTrue(b.err().contains("grid strategy only"), b.err());
        CramCommandTest.Outcome r = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(),
                "--strategy", "grid", "--repair", "--out", dir.resolve("out").toString());
        assertTrue(r.code() != 0);
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--repair applies only with a staged --strategy"), r.err());
    }
    /**
     * A plan can name a staged strategy: {@code capacity --strategy warm --write-plan} writes it, {@code sweep}
     * runs it in two shards of texts, and the whole plan, run again in the same folder, computes nothing and
     * gives what {@code capacity --strategy warm} gives in one go (same capacity, same step total).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "repair {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void stagedPlanRunsShardedBySweepAsCapacityDoes(boolean repair, @TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        Path texts = dir.resolve("lines.txt");
        Files.writeString(texts, "QZXJ KWVQ 2345678909 0987654322 QZXJ KWVQ 2345\nzqxj QZXJ QZXJ 5555 6666 7777 5555 6666 7777 QZXJ\n"
                + "QZXJ 5555 KWVQ 6666 zqxj 7777 QZXJ\n");
        String[] capacity = {"capacity", "--model", model.toString(), "--texts", texts.toString(), "--lengths", "2,4,24",
            "--steps", "200", "--stage-steps", "150", "--lr", "0.5", "--strategy", "warm", "--no-greedy"};
        capacity = concat(capacity, repair ? "--repair" : "--no-repair"); // shards run the staged pass, the whole plan repairs
        Path direct = dir.resolve("direct");
        CramCommandTest.Outcome one = CramCommandTest.run(concat(capacity, "--out", direct.toString()));
        assertEquals(0, one.code(), one.err());

        Path swept = dir.resolve("swept");
        Path plan = dir.resolve("warm.json");
        CramCommandTest.Outcome written = CramCommandTest.run(concat(capacity, "--out", swept.toString(), "--write-plan", plan.toString()));
        assertEquals(0, written.code(), written.err());
        JsonObject json = JsonParser.parseString(Files.readString(plan)).getAsJsonObject();
        assertEquals("warm", json.get("strategy").getAsString());
        assertEquals(150, json.get("stage_steps").getAsInt());
        assertEquals(repair, json.has("repair") && json.get("repair").getAsBoolean());
        for (String shard : List.of("0/2", "1/2")) {
            CramCommandTest.Outcome o = CramCommandTest.run("sweep", "--plan", plan.toString(), "--out", swept.toString(), "--shard", shard);
            assertEquals(0, o.code(), o.err());
            assertTrue(o.out().contains("shard " + shard + ": " + (shard.startsWith("0") ? 2 : 1) + " of 3 texts"), o.out());
            // issue 22 item 6: a shard's capacity is over its texts only, and says so
            assertTrue(o.out().contains("shard " + shard + " (" + (shard.startsWith("0") ? 2 : 1) + " of 3 texts): capacity over these"
                    + " texts only: "), o.out());
            assertFalse(o.out().contains("decoding capacity"), o.out());
        }
        long stageLines = TestRecords.stageLines(swept);
        assertEquals(0, RecordStore.read(swept).size(), "shards run no grid run: repair waits for every text");
        CramCommandTest.Outcome all = CramCommandTest.run("sweep", "--plan", plan.toString(), "--out", swept.toString());
        assertEquals(0, all.code(), all.err());
        assertEquals(RecordStore.read(direct).size(), RecordStore.read(swept).size(), "the whole plan's repair = capacity's");
        assertEquals(repair, RecordStore.read(swept).size() > 0, "repair retries at least the failing L=24 once");
        if (!repair) assertEquals(stageLines, TestRecords.stageLines(swept), "the whole plan after its shards: every text's stages were on disk");
        assertEquals(one.out().strip(), all.out().strip(), "sharded sweep of the plan = capacity --strategy warm");

        CramCommandTest.Outcome status = CramCommandTest.run("sweep", "--plan", plan.toString(), "--out", swept.toString(), "--status");
        assertEquals(0, status.code(), status.err()); // staged plans have a --status (per text, shard, repair; issue 23)
        java.util.regex.Matcher cap = java.util.regex.Pattern.compile("decoding capacity \\(K=1\\): (\\d+) token").matcher(one.out());
        assertTrue(cap.find(), one.out());
        assertTrue(status.out().contains("3/3 texts done") && status.out().contains((repair ? "repair" : "summary") + ": done")
                && status.out().contains("capacity (K=1): " + cap.group(1) + " token"), status.out());
    }

    /** A text whose token ids the model has no embedding for: one line naming the id and the vocabulary, not a native error. */
    @Test
    void tokenOutsideTheModelsVocabularyIsNamed(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        Path texts = dir.resolve("lines.txt");
        Files.writeString(texts, "KWVQ 1234 zqxj 9876 QZXJ\n");
        CramCommandTest.Outcome o = CramCommandTest.run("capacity", "--model", model.toString(), "--texts", texts.toString(),
                "--lengths", "2,6", "--strategy", "warm", "--out", dir.resolve("out").toString());
        assertEquals(2, o.code(), o.err());
        String last = o.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("capacity: ") && last.contains("outside the model's vocabulary 0..255"), o.err());
    }

    private static String[] concat(String[] args, String... more) {
        String[] out = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, out, args.length, more.length);
        return out;
    }
}
