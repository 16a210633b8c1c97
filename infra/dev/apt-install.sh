#!/usr/bin/env bash
# apt-install.sh <caller> <package>...: installs Debian packages quietly (with sudo when not root);
# nothing to do without packages. Shared by the install-*-deps.sh scripts.
set -euo pipefail
caller="$1"; shift
[ $# -gt 0 ] || exit 0
echo "$caller: installing $*"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
