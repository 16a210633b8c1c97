/** The {@code symmim} entry point: the command registry, help generated from the options, exit codes. May call every stage and workflow. */
package dev.symmim.pipelines.cli;
