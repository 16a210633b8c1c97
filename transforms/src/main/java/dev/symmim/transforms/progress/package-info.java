/** Progress lines for long-running work, at most one per interval per JVM. */
package dev.symmim.transforms.progress;
