/** {@code symmim bench ...}: benchmarks that run a stage and its bare counterpart side by side in one run and print the measured ratio. May call stage packages. */
package dev.symmim.pipelines.bench;
