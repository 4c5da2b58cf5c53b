package org.cramlab.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained byte-level BPE: tokens by id (special tokens first, then the 256 byte symbols, then one
 * token per merge) and the merges in rank order. Written as Hugging Face {@code tokenizer.json} +
 * {@code tokenizer_config.json}, which DJL's HuggingFaceTokenizer and HF tokenizers/transformers load.
 *
 * @param tokens token strings (byte-level spelling) indexed by id
 * @param merges merge rules in rank order, each {left, right}
 * @param specialTokens the special tokens; the first is the BOS token the post-processor prepends
 */
public record BpeVocabulary(List<String> tokens, List<String[]> merges, List<String> specialTokens) {

    /** Name of the HF tokenizer file. */
    public static final String TOKENIZER_JSON = "tokenizer.json";
    /** Name of the HF tokenizer config file. */
    public static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    public int size() {
        return tokens.size();
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public void writeHuggingFace(Path dir, int modelMaxLength) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(TOKENIZER_JSON), GSON.toJson(tokenizerJson()), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(TOKENIZER_CONFIG_JSON), GSON.toJson(tokenizerConfig(modelMaxLength)),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files to " + dir, e);
        }
    }

    private Map<String, Object> tokenizerJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", null);
        json.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (String special : specialTokens) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", tokens.indexOf(special));
            token.putAll(addedToken(special));
            added.add(token);
        }
        json.put("added_tokens", added);
        json.put("normalizer", null);
        json.put("pre_tokenizer", byteLevel(false));
        // Like Llama: BOS in front of every sequence (of a pair too); special tokens count towards
        // max_length when truncating, as in the paper's tokenizer call.
        String bos = specialTokens.get(0);
        json.put("post_processor", Map.of(
                "type", "TemplateProcessing",
                "single", List.of(special(bos, 0), sequence("A", 0)),
                "pair", List.of(special(bos, 0), sequence("A", 0), special(bos, 1), sequence("B", 1)),
                "special_tokens", Map.of(bos, Map.of("id", bos, "ids", List.of(tokens.indexOf(bos)), "tokens", List.of(bos)))));
        json.put("decoder", byteLevel(true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        model.put("vocab", vocab);
        // "left right" strings: the format every tokenizers version reads (byte-level tokens have no space).
        model.put("merges", merges.stream().map(m -> m[0] + " " + m[1]).toList());
        json.put("model", model);
        return json;
    }

    private Map<String, Object> tokenizerConfig(int modelMaxLength) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("add_bos_token", true);
        config.put("add_eos_token", false);
        config.put("bos_token", specialTokens.get(0));
        config.put("eos_token", specialTokens.size() > 1 ? specialTokens.get(1) : specialTokens.get(0));
        config.put("clean_up_tokenization_spaces", false);
        config.put("model_max_length", modelMaxLength);
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        Map<String, Object> decoder = new LinkedHashMap<>();
        for (int id = 0; id < specialTokens.size(); id++) {
            decoder.put(String.valueOf(id), addedToken(specialTokens.get(id)));
        }
        config.put("added_tokens_decoder", decoder);
        return config;
    }

    private Map<String, Object> addedToken(String content) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
        return t;
    }

    private static Map<String, Object> byteLevel(boolean decoder) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", decoder);
        m.put("trim_offsets", true);
        m.put("use_regex", true);
        return m;
    }

    private static Map<String, Object> special(String id, int typeId) {
        return Map.of("SpecialToken", Map.of("id", id, "type_id", typeId));
    }

    private static Map<String, Object> sequence(String id, int typeId) {
        return Map.of("Sequence", Map.of("id", id, "type_id", typeId));
    }
}
