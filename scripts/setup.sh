#!/usr/bin/env bash
# Sets up svcq on a fresh Debian machine with nothing but Python 3.11+:
# Debian packages the product needs (Chromium for chart export and browser tests,
# Noto CJK fonts and fontconfig for Traditional Chinese), a virtual environment in .venv,
# and the Python packages at the exact versions of requirements.lock (the versions the
# tests passed with; scripts/lock.sh regenerates it). Safe to run again: it skips what is
# already there, and reinstalls the Python packages only when the lock, pyproject.toml or
# the Python version changed.
set -euo pipefail
cd "$(dirname "$0")/.."

installed() {  # installed DEBIAN-PACKAGE: true when dpkg has it fully installed
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

need_apt=()
for pkg in chromium fonts-noto-cjk fontconfig; do
  installed "$pkg" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> 安裝系統套件 / installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # A fresh machine has no package lists: update first, every time we install.
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> 建立虛擬環境 / creating .venv"
  "$PYTHON" -m venv .venv || {
    echo "無法建立虛擬環境：請安裝 python3-venv（apt-get install python3-venv）" >&2
    exit 1
  }
fi

# What the environment was built from: the lock's and pyproject's content and the Python.
want="$({ cat requirements.lock pyproject.toml; .venv/bin/python --version; } | sha256sum | cut -d' ' -f1)"
stamp=.venv/.svcq-installed
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> 安裝 Python 套件 / installing Python packages from requirements.lock"
  rm -f "$stamp"
  .venv/bin/python -m pip install -q --upgrade pip
  # --no-deps: the lock already lists every package (one pin in it overrides a dependency's
  # own exact pin, see scripts/lock.sh); --require-hashes: each file must be the one locked.
  .venv/bin/python -m pip install -q --no-deps --require-hashes -r requirements.lock
  # svcq itself, editable, built by the locked setuptools (no download during the build).
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  echo "$want" >"$stamp"
fi
echo "==> 環境就緒 / environment ready"
