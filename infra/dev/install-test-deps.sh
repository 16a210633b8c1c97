#!/usr/bin/env bash
# Installs what the build and tests need beyond Java 17 and Maven (both on the machine image):
# the Fashion-MNIST dataset (Debian package) the end-to-end tests and benchmarks read, and Debian's
# Chromium, in which a test loads the evaluation report headless (page renders, every image decodes), and
# Debian's PyTorch (CPU) + NumPy for /usr/bin/python3, with which ExportParityIT checks exported encoders
# against a plain-PyTorch ViT (no PyPI here: apt's python3-torch is the only PyTorch).
set -euo pipefail
need=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1 || need+=(python3-torch python3-numpy)
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" install-test-deps ${need[@]+"${need[@]}"}
command -v java >/dev/null || { echo "install-test-deps: java 17 is required" >&2; exit 1; }
command -v mvn >/dev/null || { echo "install-test-deps: maven is required" >&2; exit 1; }
