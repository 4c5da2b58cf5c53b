/**
 * What a notebook needs from one call ({@link org.cramlab.notebook.Lab}): the profile from the environment,
 * its run folder, a runner whose progress updates in place and a report that saves each table and figure.
 */
package org.cramlab.notebook;
