/** Runnable symmim jobs: options, graph wiring and the {@code symmim} command line. */
package dev.symmim.pipelines;
