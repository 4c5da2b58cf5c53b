package org.cramlab.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Trains a byte-level BPE vocabulary (GPT-2 style) on text, deterministically.
 *
 * <p>Texts are split into pre-tokens with {@link ByteLevel#split}; identical pre-tokens are counted
 * once with their frequency, so the work depends on the number of distinct words, not on the text
 * length. Pair counts are kept incrementally: a merge only revisits the words that contain the merged
 * pair. Ties between equally frequent pairs go to the smaller (left id, right id), so the same input
 * always gives the same merges.
 *
 * <pre>{@code
 * BpeVocabulary bpe = BpeTrainer.builder().optVocabSize(4096).build().train(paragraphs);
 * }</pre>
 */
public final class BpeTrainer {

    private final int vocabSize;
    private final List<String> specialTokens;
    private final int minPairCount;

    private BpeTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.specialTokens = List.copyOf(b.specialTokens);
        this.minPairCount = b.minPairCount;
        if (vocabSize < specialTokens.size() + 256) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " must be at least 256 bytes + "
                    + specialTokens.size() + " special tokens");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Counts the pre-tokens of {@code texts} (each text split on its own) and learns merges. */
    public BpeVocabulary train(Iterable<String> texts) {
        Map<String, Long> wordCounts = new HashMap<>();
        for (String text : texts) {
            for (String piece : ByteLevel.split(text)) {
                wordCounts.merge(ByteLevel.encode(piece), 1L, Long::sum);
            }
        }
        return trainOnWordCounts(wordCounts);
    }

    /** Learns merges from byte-level-encoded pre-tokens and their counts. */
    public BpeVocabulary trainOnWordCounts(Map<String, Long> wordCounts) {
        List<String> tokens = new ArrayList<>(specialTokens);
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevel.symbol(b));
            ids.put(s, specialTokens.size() + b);
            tokens.add(s);
        }
        // Sort words so symbol ids and iteration order do not depend on HashMap order.
        List<String> sorted = new ArrayList<>(wordCounts.keySet());
        sorted.sort(null);
        int[][] words = new int[sorted.size()][];
        long[] counts = new long[sorted.size()];
        for (int w = 0; w < sorted.size(); w++) {
            String word = sorted.get(w);
            words[w] = word.chars().map(c -> ids.get(String.valueOf((char) c))).toArray();
            counts[w] = wordCounts.get(word);
        }
        PairStats stats = new PairStats(words, counts);
        List<String[]> merges = new ArrayList<>();
        while (tokens.size() < vocabSize) {
            long best = stats.popBest(minPairCount);
            if (best < 0) {
                break; // nothing left worth merging
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            int merged = tokens.size();
            tokens.add(tokens.get(left) + tokens.get(right));
            merges.add(new String[] {tokens.get(left), tokens.get(right)});
            stats.merge(left, right, merged);
        }
        return new BpeVocabulary(tokens, merges, specialTokens);
    }

    /** Pair counts over all words, kept up to date as merges rewrite the words. */
    private static final class PairStats {
        private final int[][] words;
        private final long[] counts;
        private final Map<Long, Long> pairCounts = new HashMap<>();
        private final Map<Long, Set<Integer>> pairWords = new HashMap<>();
        // Candidates ordered by count desc, then pair asc; stale entries are skipped when popped.
        private final PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) ->
                x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));

        PairStats(int[][] words, long[] counts) {
            this.words = words;
            this.counts = counts;
            for (int w = 0; w < words.length; w++) {
                add(w, +1);
            }
            pairCounts.forEach((pair, count) -> queue.add(new long[] {count, pair}));
        }

        long popBest(int minCount) {
            while (!queue.isEmpty()) {
                long[] top = queue.poll();
                Long current = pairCounts.get(top[1]);
                if (current != null && current == top[0]) {
                    return current >= minCount ? top[1] : -1;
                }
            }
            return -1;
        }

        void merge(int left, int right, int merged) {
            long pair = key(left, right);
            Set<Integer> affected = pairWords.remove(pair);
            // Pairs of the rewritten words, before and after: exactly those whose count changes.
            Set<Long> touched = new HashSet<>();
            for (int w : affected.stream().sorted().toList()) {
                collectPairs(words[w], touched);
                add(w, -1);
                words[w] = replace(words[w], left, right, merged);
                add(w, +1);
                collectPairs(words[w], touched);
            }
            pairCounts.remove(pair);
            for (long p : touched) {
                Long c = pairCounts.get(p);
                if (c != null) {
                    queue.add(new long[] {c, p});
                }
            }
        }

        private static void collectPairs(int[] s, Set<Long> into) {
            for (int i = 0; i + 1 < s.length; i++) {
                into.add(key(s[i], s[i + 1]));
            }
        }

        private void add(int w, int sign) {
            int[] s = words[w];
            for (int i = 0; i + 1 < s.length; i++) {
                long p = key(s[i], s[i + 1]);
                long c = pairCounts.getOrDefault(p, 0L) + sign * counts[w];
                if (c == 0) {
                    pairCounts.remove(p);
                } else {
                    pairCounts.put(p, c);
                }
                if (sign > 0) {
                    pairWords.computeIfAbsent(p, k -> new HashSet<>()).add(w);
                }
            }
        }

        private static int[] replace(int[] s, int left, int right, int merged) {
            int[] out = new int[s.length];
            int n = 0;
            for (int i = 0; i < s.length; i++) {
                if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
                    out[n++] = merged;
                    i++;
                } else {
                    out[n++] = s[i];
                }
            }
            return Arrays.copyOf(out, n);
        }

        private static long key(int left, int right) {
            return ((long) left << 32) | (right & 0xffffffffL);
        }
    }

    /** Options for {@link BpeTrainer}. */
    public static final class Builder {
        private int vocabSize = 4096;
        private List<String> specialTokens = List.of("<s>", "</s>");
        private int minPairCount = 2;

        /** Total vocabulary size including the 256 byte tokens and the special tokens (default 4096). */
        public Builder optVocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /** Special tokens, given the first ids in this order (default {@code <s>}, {@code </s>}). */
        public Builder optSpecialTokens(List<String> specialTokens) {
            this.specialTokens = specialTokens;
            return this;
        }

        /** Stop early when the best pair occurs fewer times than this (default 2). */
        public Builder optMinPairCount(int minPairCount) {
            this.minPairCount = minPairCount;
            return this;
        }

        public BpeTrainer build() {
            return new BpeTrainer(this);
        }
    }
}
