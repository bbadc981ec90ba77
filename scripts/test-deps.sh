#!/usr/bin/env bash
# Installs the Debian programs the test suite drives (real IRC clients, openssl, chromium),
# only when one is missing, so `npm test` works on a fresh Debian machine.
set -euo pipefail
need=()
command -v irssi >/dev/null 2>&1 || need+=(irssi)
command -v weechat-headless >/dev/null 2>&1 || need+=(weechat-headless)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v file >/dev/null 2>&1 || need+=(file)
# The release test runs the linux-arm64 build under qemu-user with Debian's aarch64 C library.
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || need+=(libc6-arm64-cross)
# contrib/chat.service is checked with systemd-analyze verify.
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# The web client's browser tests drive Debian's chromium through playwright-core.
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import irc' 2>/dev/null || need+=(python3-irc)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing test dependencies from Debian: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
