#!/bin/sh
# Install wasmedge:  curl -sSf <release location>/install.sh | sh -s -- [options]
#
# This script only fetches the installer for this machine from the release location, checks its SHA-256
# against the release's SHA256SUMS, and runs it with the same options; the installer verifies and
# installs everything else. `sh install.sh --help` lists the options. With WASMEDGE_INSTALLER=FILE it
# runs that installer instead of downloading one.
set -eu

BASE_URL=${WASMEDGE_RELEASE_BASE_URL:-https://example.invalid/wasmedge-rs/releases}
PUBLIC_KEY=${WASMEDGE_RELEASE_PUBLIC_KEY:-}
VERSION=
TMP_PARENT=${TMPDIR:-/tmp}

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
    cat <<'USAGE'
usage: sh install.sh [options]      (curl -sSf <release location>/install.sh | sh -s -- [options])
  -v, --version V          the version to install (default: the newest)
  -p, --path PATH          where to install (default: $HOME/.wasmedge)
  --plugins P...           plugins, name[:version] (e.g. wasi_crypto:0.14.1, wasi_nn-ggml) or all
  --machine/--arch A       x86_64 or aarch64 (default: this machine's)
  --os OS, --dist D        the platform and build baseline (default: this machine's)
  -r, --remove-old yes|no  remove files the previous installation had and this one lacks (default yes)
  -t, --tmpdir DIR         where to download
  --base-url URL           the release location: http(s):// or file:// ($WASMEDGE_RELEASE_BASE_URL)
  --timeout SECS           how long a download may stay silent (default 30)
  --public-key FILE        require SHA256SUMS to be signed by this Ed25519 key (PEM; needs openssl here)
                           ($WASMEDGE_RELEASE_PUBLIC_KEY)
  --uninstall [-q]         remove the installation at --path
  -V, --verbose            show every step
USAGE
}

prev=
for arg in "$@"; do
    case $arg in -h|--help) usage; exit 0 ;; esac
    case $prev in
        -v|--version) VERSION=$arg ;;
        --base-url) BASE_URL=$arg ;;
        -t|--tmpdir) TMP_PARENT=$arg ;;
        --public-key) PUBLIC_KEY=$arg ;;
    esac
    case $arg in
        --version=*) VERSION=${arg#*=} ;;
        --base-url=*) BASE_URL=${arg#*=} ;;
        --public-key=*) PUBLIC_KEY=${arg#*=} ;;
        --tmpdir=*) TMP_PARENT=${arg#*=} ;;
        -v?*) VERSION=${arg#-v} ;;
    esac
    prev=$arg
done
BASE_URL=${BASE_URL%/}

if [ -n "${WASMEDGE_INSTALLER:-}" ]; then
    exec "$WASMEDGE_INSTALLER" "$@"
fi

case $(uname -s) in
    Linux) ;;
    *) die "$(uname -s) is not supported; releases exist for Linux" ;;
esac
case $(uname -m) in
    x86_64|amd64) ARCH=x86_64 ;;
    aarch64|arm64) ARCH=aarch64 ;;
    *) die "$(uname -m) is not supported; releases exist for x86_64 and aarch64" ;;
esac

fetch() {
    case $1 in
        file://*) cp "${1#file://}" "$2" 2>/dev/null || die "$1 not found" ;;
        http://*|https://*)
            if command -v curl >/dev/null 2>&1; then
                curl -fsSL --connect-timeout 30 --speed-time 30 --speed-limit 1 -o "$2" "$1" || die "could not download $1"
            elif command -v wget >/dev/null 2>&1; then
                wget -q -T 30 -O "$2" "$1" || die "could not download $1"
            else
                die "curl or wget is needed to download $1"
            fi ;;
        *) die "the release location must be http://, https:// or file://, not $1" ;;
    esac
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
    else
        die "sha256sum, shasum or openssl is needed to verify the installer"
    fi
}

TMP=$(mktemp -d "$TMP_PARENT/wasmedge-install.XXXXXX") || die "cannot create a temporary directory in $TMP_PARENT"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

if [ -z "$VERSION" ]; then
    fetch "$BASE_URL/index.toml" "$TMP/index.toml"
    VERSION=$(sed -n 's/^latest = "\([^"]*\)"$/\1/p' "$TMP/index.toml")
    [ -n "$VERSION" ] || die "$BASE_URL/index.toml names no latest version"
    set -- "$@" --version "$VERSION"
fi
VERSION=${VERSION#v}
case $VERSION in
    ''|*[!0-9A-Za-z.-]*) die "'$VERSION' is not a version" ;;
esac

NAME=wasmedge-installer-linux-$ARCH
fetch "$BASE_URL/$VERSION/SHA256SUMS" "$TMP/SHA256SUMS"
if [ -n "$PUBLIC_KEY" ]; then
    command -v openssl >/dev/null 2>&1 || die "openssl is needed to check the release's signature"
    fetch "$BASE_URL/$VERSION/SHA256SUMS.sig" "$TMP/SHA256SUMS.sig"
    openssl pkeyutl -verify -pubin -inkey "$PUBLIC_KEY" -rawin -in "$TMP/SHA256SUMS" \
        -sigfile "$TMP/SHA256SUMS.sig" >/dev/null 2>&1 \
        || die "the signature of $VERSION/SHA256SUMS does not verify with $PUBLIC_KEY; nothing was installed"
fi
EXPECTED=$(awk -v f="$NAME" '$2 == f || $2 == "*" f { print $1 }' "$TMP/SHA256SUMS")
[ -n "$EXPECTED" ] || die "release $VERSION has no installer for linux $ARCH"
fetch "$BASE_URL/$VERSION/$NAME" "$TMP/$NAME"
ACTUAL=$(sha256 "$TMP/$NAME")
[ "$ACTUAL" = "$EXPECTED" ] || die "the installer downloaded from $BASE_URL/$VERSION does not match SHA256SUMS (sha256 $ACTUAL, expected $EXPECTED); nothing was installed"
chmod +x "$TMP/$NAME"
status=0
"$TMP/$NAME" "$@" || status=$?
exit $status
