/** Files by local path or URI (any Beam filesystem), SHA-256 content hashes. Depends on Beam FileSystems only. */
package dev.symmim.transforms.io;
