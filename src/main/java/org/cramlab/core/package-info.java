/**
 * The bottom layer every other package may use and which uses none of them: library versions, SHA-256
 * hashing, cramlab's home directory and the root of cramlab's exceptions.
 */
package org.cramlab.core;
