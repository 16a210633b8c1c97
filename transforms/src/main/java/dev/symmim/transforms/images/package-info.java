/** Reading image sources (folders, IDX, CIFAR), decoding, channel conversion and resizing. */
package dev.symmim.transforms.images;
