#!/usr/bin/env bash
# Install the Debian packages cdev-tui and its tests need, when they are missing.
# As root it installs them with apt-get; otherwise it names what is missing and how to get it.
set -u
packages=(git make gcc python3-dev python3-venv tmux libportaudio2 pulseaudio espeak-ng sox chromium)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "cdev-tui: missing system packages (${missing[*]}) and no apt-get here: install them with your package manager" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "cdev-tui: missing system packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "cdev-tui: installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null \
  || { echo "cdev-tui: apt-get could not install ${missing[*]}" >&2; exit 1; }
