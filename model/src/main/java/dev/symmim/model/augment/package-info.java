/** SymMIM view augmentations on plain float arrays with an explicit seeded RNG. */
package dev.symmim.model.augment;
