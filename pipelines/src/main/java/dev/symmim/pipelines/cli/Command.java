package dev.symmim.pipelines.cli;

import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One {@code symmim} command: its name, a one-line summary, its options interface (null for
 * commands with sub-commands) and what runs it.
 */
record Command(String name, String summary, Class<? extends PipelineOptions> options, Action action) {
  /** Runs the command on its arguments (after the command name); returns the exit code. */
  interface Action {
    int run(String[] args) throws Exception;
  }
}
