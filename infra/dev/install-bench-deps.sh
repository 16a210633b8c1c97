#!/usr/bin/env bash
# Installs what `symmim bench train|embed --against=pytorch` needs for a fair baseline: Debian's
# PyTorch (CPU) + NumPy, and OpenBLAS. Debian's torch is built against the generic libblas.so.3, which
# is the slow reference BLAS unless an optimised one is installed; libopenblas0-pthread registers itself
# as libblas.so.3 (update-alternatives), so PyTorch's matmuls then run on OpenBLAS. DJL's libtorch
# brings its own MKL and is not affected.
set -euo pipefail
need=()
/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1 || need+=(python3-torch python3-numpy)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" install-bench-deps ${need[@]+"${need[@]}"}
echo "install-bench-deps: libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
