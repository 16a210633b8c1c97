/** Dead letters: bad inputs become {@code FailedRecord}s with a reason, never silent drops. */
package dev.symmim.transforms.failures;
