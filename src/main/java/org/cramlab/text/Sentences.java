package org.cramlab.text;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * English sentence splitting with the JDK's {@link BreakIterator}, standing in for NLTK's punkt
 * ({@code sent_tokenize}) which the paper used to pick the second half of each chunk's sentences.
 *
 * <p>How close it is: both split after '.', '!' or '?' followed by space and a capital, and both
 * keep closing quotes and brackets with the sentence they end ({@code "Go." She went.} gives
 * {@code "Go."} and {@code She went.}). The JDK rules know no abbreviations, so this class re-joins
 * a break after a common English title or abbreviation ({@link #ABBREVIATIONS}: Mr., Mrs., Dr.,
 * St., ...), as punkt's trained English model does. Remaining differences: punkt also learns rarer
 * abbreviations and initials ("J. Smith") from data and treats some ellipses and lower-case
 * continuations differently; the JDK splits after "?" or "!" inside a quote followed by a capital.
 * Where exact agreement with the paper matters, pre-compute the suffix strings with NLTK.
 */
public final class Sentences {

    /** Lower-cased abbreviations (without the dot) after which a break is undone. */
    public static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "st", "jr", "sr", "messrs", "mme", "mlle", "rev", "col", "capt", "gen",
            "lt", "sgt", "hon", "prof", "esq", "vs", "viz", "vol", "ch", "fig", "inc", "ltd");

    private Sentences() {}

    /** The sentences of {@code text}, each stripped of surrounding whitespace, empty ones dropped. */
    public static List<String> split(String text) {
        BreakIterator it = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        it.setText(text);
        List<String> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (int start = it.first(), end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
            pending.append(text, start, end);
            if (!endsWithAbbreviation(pending) || end == text.length()) {
                String s = pending.toString().strip();
                if (!s.isEmpty()) {
                    out.add(s);
                }
                pending.setLength(0);
            }
        }
        return out;
    }

    /**
     * The paper's compressed part of a chunk: {@code ' '.join(sentences[len(sentences)//2:])}.
     */
    public static String secondHalf(String text) {
        List<String> s = split(text);
        return String.join(" ", s.subList(s.size() / 2, s.size()));
    }

    private static boolean endsWithAbbreviation(CharSequence sentence) {
        int end = sentence.length();
        while (end > 0 && Character.isWhitespace(sentence.charAt(end - 1))) {
            end--;
        }
        if (end == 0 || sentence.charAt(end - 1) != '.') {
            return false;
        }
        int start = end - 1;
        while (start > 0 && Character.isLetter(sentence.charAt(start - 1))) {
            start--;
        }
        boolean wordStart = start == 0 || !Character.isLetterOrDigit(sentence.charAt(start - 1));
        return wordStart && ABBREVIATIONS.contains(sentence.subSequence(start, end - 1).toString().toLowerCase(Locale.ROOT));
    }
}
