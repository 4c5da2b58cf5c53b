package org.cramlab.checkpoint;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer (DJL's native binding, offline) with the model's
 * BOS/EOS policy: {@code add_bos_token}/{@code add_eos_token} from {@code tokenizer_config.json} when
 * set, otherwise whatever the tokenizer's post-processor adds (Llama adds BOS, Pythia/GPT-2 add
 * nothing).
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int vocabSize;
    private final int bosId;
    private final int eosId;
    private final boolean addBos;
    private final boolean addEos;

    private TextTokenizer(
            HuggingFaceTokenizer tokenizer, Path file, int vocabSize, int bosId, int eosId, boolean addBos,
            boolean addEos) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.vocabSize = vocabSize;
        this.bosId = bosId;
        this.eosId = eosId;
        this.addBos = addBos;
        this.addEos = addEos;
    }

    /**
     * Loads {@code tokenizer.json} (and {@code tokenizer_config.json} when present) from a model
     * directory or from the path of a {@code tokenizer.json} file.
     */
    public static TextTokenizer load(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("missing " + file + ": expected a Hugging Face tokenizer.json");
        }
        JsonObject json = readJson(file);
        Map<String, Integer> ids = new HashMap<>();
        int vocab = collectVocab(file, json, ids);
        Path cfgFile = file.resolveSibling("tokenizer_config.json");
        JsonObject cfg = Files.isRegularFile(cfgFile) ? readJson(cfgFile) : new JsonObject();

        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
        // What the post-processor adds around a plain text tells the default policy and the ids.
        long[] plain = hf.encode("a", false, false).getIds();
        long[] special = hf.encode("a", true, false).getIds();
        int lead = indexOf(special, plain);
        int postBos = lead > 0 ? (int) special[0] : -1;
        int postEos = lead >= 0 && special.length > lead + plain.length ? (int) special[special.length - 1] : -1;

        int bos = tokenId(cfg, "bos_token", ids, postBos);
        int eos = tokenId(cfg, "eos_token", ids, postEos);
        boolean addBos = cfg.has("add_bos_token") && !cfg.get("add_bos_token").isJsonNull()
                ? cfg.get("add_bos_token").getAsBoolean()
                : postBos >= 0;
        boolean addEos = cfg.has("add_eos_token") && !cfg.get("add_eos_token").isJsonNull()
                ? cfg.get("add_eos_token").getAsBoolean()
                : postEos >= 0;
        if (addBos && bos < 0) {
            hf.close();
            throw new CheckpointException(cfgFile + ": add_bos_token is true but no bos_token is defined");
        }
        if (addEos && eos < 0) {
            hf.close();
            throw new CheckpointException(cfgFile + ": add_eos_token is true but no eos_token is defined");
        }
        return new TextTokenizer(hf, file, vocab, bos, eos, addBos, addEos);
    }

    private static JsonObject readJson(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new CheckpointException("cannot read " + file + " as a JSON object: " + e.getMessage(), e);
        }
    }

    /** Fills token -> id from model.vocab and added_tokens; returns max id + 1. */
    private static int collectVocab(Path file, JsonObject json, Map<String, Integer> ids) {
        JsonObject model = json.has("model") && json.get("model").isJsonObject() ? json.getAsJsonObject("model") : null;
        if (model == null || !model.has("vocab")) {
            throw new CheckpointException(file + ": expected a field model.vocab (a Hugging Face tokenizer.json)");
        }
        JsonElement vocab = model.get("vocab");
        if (vocab.isJsonObject()) { // BPE / WordPiece: {token: id}
            for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
                ids.put(e.getKey(), e.getValue().getAsInt());
            }
        } else if (vocab.isJsonArray()) { // Unigram: [[token, score], ...]
            for (int i = 0; i < vocab.getAsJsonArray().size(); i++) {
                ids.put(vocab.getAsJsonArray().get(i).getAsJsonArray().get(0).getAsString(), i);
            }
        }
        if (json.has("added_tokens") && json.get("added_tokens").isJsonArray()) {
            for (JsonElement t : json.getAsJsonArray("added_tokens")) {
                JsonObject o = t.getAsJsonObject();
                ids.put(o.get("content").getAsString(), o.get("id").getAsInt());
            }
        }
        return ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    /** The id of a special token named in tokenizer_config.json (string or {content}), else fallback. */
    private static int tokenId(JsonObject cfg, String field, Map<String, Integer> ids, int fallback) {
        if (!cfg.has(field) || cfg.get(field).isJsonNull()) {
            return fallback;
        }
        JsonElement e = cfg.get(field);
        String content = e.isJsonObject() ? e.getAsJsonObject().get("content").getAsString() : e.getAsString();
        Integer id = ids.get(content);
        return id == null ? fallback : id;
    }

    private static int indexOf(long[] haystack, long[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    /** Encodes with the model's special tokens (BOS for Llama). */
    public int[] encode(String text) {
        return encode(text, true, Integer.MAX_VALUE);
    }

    /** Encodes with or without the model's special tokens. */
    public int[] encode(String text, boolean addSpecialTokens) {
        return encode(text, addSpecialTokens, Integer.MAX_VALUE);
    }

    /**
     * Encodes and truncates to at most {@code maxLength} ids in total; as Hugging Face truncation,
     * the special tokens are kept and the text is cut.
     */
    public int[] encode(String text, boolean addSpecialTokens, int maxLength) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        boolean bos = addSpecialTokens && addBos;
        boolean eos = addSpecialTokens && addEos;
        int room = Math.max(0, maxLength - (bos ? 1 : 0) - (eos ? 1 : 0));
        int n = Math.min(ids.length, room);
        int[] out = new int[n + (bos ? 1 : 0) + (eos ? 1 : 0)];
        int k = 0;
        if (bos) {
            out[k++] = bosId;
        }
        for (int i = 0; i < n; i++) {
            out[k++] = (int) ids[i];
        }
        if (eos) {
            out[k] = eosId;
        }
        return out;
    }

    /** Decodes ids to text; special tokens are dropped when {@code skipSpecialTokens}. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
    }

    /** Decodes ids to text, keeping special tokens. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /** BOS id, or -1 when the tokenizer has none. */
    public int bosId() {
        return bosId;
    }

    /** EOS id, or -1 when the tokenizer has none. */
    public int eosId() {
        return eosId;
    }

    /** Whether {@link #encode(String)} prepends BOS. */
    public boolean addsBos() {
        return addBos;
    }

    /** Whether {@link #encode(String)} appends EOS. */
    public boolean addsEos() {
        return addEos;
    }

    /** Largest token id + 1 (the model's {@code vocab_size} may be larger, padded). */
    public int vocabSize() {
        return vocabSize;
    }

    /** The tokenizer.json this was loaded from. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
