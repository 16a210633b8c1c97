/** {@code symmim index} and {@code symmim search}: options and wiring over transforms/index. */
package dev.symmim.pipelines.index;
