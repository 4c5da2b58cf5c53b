package org.cramlab.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Sentence splitting on cases where NLTK punkt's English model gives the results asserted here. */
class SentencesTest {

    @Test
    void titlesDoNotEndSentences() {
        assertEquals(List.of("My dear Mr. Bennet has come.", "Mrs. Long told me so.", "Dr. Jones agreed."),
                Sentences.split("My dear Mr. Bennet has come. Mrs. Long told me so. Dr. Jones agreed."));
    }

    @Test
    void closingQuotesStayWithTheirSentence() {
        assertEquals(List.of("\"Have you heard that Netherfield Park is let at last?\"", "Mr. Bennet replied that he had not."),
                Sentences.split("\"Have you heard that Netherfield Park is let at last?\" Mr. Bennet replied that he had not."));
        assertEquals(List.of("\"It is so.\"", "She went."), Sentences.split("\"It is so.\" She went."));
    }

    @Test
    void exclamationsQuestionsAndWhitespace() {
        assertEquals(List.of("Call me Ishmael!", "Why?", "Because."), Sentences.split("  Call me Ishmael!   Why? Because.  "));
        assertEquals(List.of(), Sentences.split("   "));
    }

    @Test
    void aSentenceEndingInNoIsNotAnAbbreviation() {
        assertEquals(List.of("She said no.", "Then she left."), Sentences.split("She said no. Then she left."));
    }

    @Test
    void secondHalfIsThePapersRule() {
        // ' '.join(sentences[len(sentences)//2:]): 5 sentences -> the last 3, 4 -> the last 2, 1 -> all
        assertEquals("C c. D d. E e.", Sentences.secondHalf("A a. B b. C c. D d. E e."));
        assertEquals("C c. D d.", Sentences.secondHalf("A a. B b. C c. D d."));
        assertEquals("Only one.", Sentences.secondHalf("Only one."));
    }
}
