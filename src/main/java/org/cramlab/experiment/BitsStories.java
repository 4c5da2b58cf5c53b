package org.cramlab.experiment;

import java.util.List;

/**
 * Short TinyStories-style texts (written for cramlab, simple words a small TinyStories model knows),
 * for the bits experiment on stories260K. Ordered by length.
 */
public final class BitsStories {

    private BitsStories() {}

    public static final List<String> TEXTS = List.of(
            "Once upon a time, there was a little cat.",
            "Tom had a red ball. He liked to play with it in the park every day.",
            "Lily saw a big dog in the garden. The dog was sad because it was lost. Lily gave the dog some water"
                    + " and a hug. The dog was happy.",
            "One day, a boy named Ben went to the beach with his mom. He wanted to build a big sand castle. He dug"
                    + " and dug until his hands were tired. Then a wave came and took the castle away. Ben was sad,"
                    + " but his mom said, \"Let's build a new one together.\" They made an even bigger castle, and"
                    + " Ben smiled.",
            "Once upon a time, in a small house, there lived a girl named Sue. Sue loved to draw. Every morning she"
                    + " drew the sun, the trees and the birds. One day, her pencil broke. Sue did not know what to do."
                    + " She asked her dad for help. Her dad found a new pencil in his bag. Sue was so happy that she"
                    + " drew a picture of her dad and gave it to him. He put it on the wall, and they both smiled."
                    + " From that day on, Sue drew a picture for her dad every week.");
}
