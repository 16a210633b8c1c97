/** Running a job and what symmim sets for the runner: defaults, stage options of workflows, local GCS credentials, build and commit facts (the code version from build.properties, written at build time). No stage package. */
package dev.symmim.pipelines.runner;
