/** HTML pages and PNG plots of the commands: the evaluation report, the dataset page, loss curves, escaping. Reads typed metrics (transforms/evaluate); no stage package. */
package dev.symmim.pipelines.report;
