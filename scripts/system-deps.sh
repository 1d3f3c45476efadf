#!/usr/bin/env bash
# System packages the tests need: Debian's Chromium (the browser test) and a CJK font
# (anything the server renders in Chinese), LibreOffice (spreadsheets as offices save them, and
# the brief as PDF), poppler's pdftotext. Installed with apt-get when missing and root.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -iE 'wqy|noto.*cjk' >/dev/null || missing+=(fonts-wqy-microhei)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
# Writer turns the weekly brief into PDF; its package leaves a marker in LibreOffice's program dir.
ls /usr/lib/libreoffice/program/libswlo.so >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
# pdftotext measures the type of the printed 台账 (its words' boxes on the PDF's pages).
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "需要安装 (please install): sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
