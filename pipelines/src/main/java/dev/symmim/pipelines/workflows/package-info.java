/** Multi-stage commands composed of the stages: {@code demo}, {@code ablate}. Stages get options of their own type ({@code runner.StageOptions}) set with typed values. May call any stage package. */
package dev.symmim.pipelines.workflows;
