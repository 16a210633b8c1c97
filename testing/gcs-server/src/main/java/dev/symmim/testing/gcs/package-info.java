/** A small in-memory server speaking the GCS JSON API (the gs:// test fixture), with fault injection. */
package dev.symmim.testing.gcs;
