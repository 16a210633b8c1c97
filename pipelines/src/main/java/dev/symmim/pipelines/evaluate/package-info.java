/** {@code symmim evaluate}: its options, the baselines' embedding job and the evaluation job over transforms/evaluate; the report comes from report/. */
package dev.symmim.pipelines.evaluate;
