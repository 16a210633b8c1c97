/** {@code symmim embed}: its options and the job over transforms/embed (planned by its EmbedPlanner). */
package dev.symmim.pipelines.embed;
