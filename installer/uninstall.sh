#!/bin/sh
# Uninstall wasmedge:  sh uninstall.sh [-p PATH] [-q] [-V]
# Runs the installer of the installation (<PATH>/bin/wasmedge-installer --uninstall), which removes
# exactly the files it installed and the lines it added to shell profiles.
set -eu
IPATH=${HOME:-}/.wasmedge
prev=
for arg in "$@"; do
    case $prev in -p|--path) IPATH=$arg ;; esac
    case $arg in
        --path=*) IPATH=${arg#*=} ;;
        -h|--help) echo "usage: sh uninstall.sh [-p PATH] [-q] [-V]" >&2; exit 0 ;;
    esac
    prev=$arg
done
INSTALLER=$IPATH/bin/wasmedge-installer
if [ ! -x "$INSTALLER" ]; then
    printf 'uninstall.sh: error: %s is not an installation made by wasmedge-installer (no %s)\n' "$IPATH" "$INSTALLER" >&2
    exit 1
fi
status=0
"$INSTALLER" --uninstall "$@" || status=$?
exit $status
