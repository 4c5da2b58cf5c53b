/**
 * The texts cramlab crams: the held-out book corpus, sentences, short stories, word lists and text files,
 * each tokenized to a model's first L tokens the way the paper's runs do.
 */
package org.cramlab.text;
