#!/usr/bin/env bash
# System packages. `system-deps.sh build`: what installing taizhang needs (OpenLDAP's and
# SASL's headers, which python-ldap, the directory login, builds against). Without an
# argument, also what the tests need: Debian's Chromium (the browser test) and a CJK font
# (anything the server renders in Chinese), LibreOffice (spreadsheets as offices save them, and
# the brief as PDF), poppler's pdftotext, OpenLDAP's slapd (the directory tests start one),
# Redis (the shared cache's tests start one).
# Installed with apt-get when missing and root.
set -euo pipefail
missing=()
[ -e /usr/include/ldap.h ] || missing+=(libldap-dev)
[ -e /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
if [ "${1:-}" != "build" ]; then
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -iE 'wqy|noto.*cjk' >/dev/null || missing+=(fonts-wqy-microhei)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
# Writer turns the weekly brief into PDF; its package leaves a marker in LibreOffice's program dir.
ls /usr/lib/libreoffice/program/libswlo.so >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
# pdftotext measures the type of the printed 台账 (its words' boxes on the PDF's pages).
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -x /usr/sbin/slapd ] || missing+=(slapd)
# The shared cache's tests start a Redis of their own (Debian's redis-server).
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "需要安装 (please install): sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# slapd's package would configure and start a directory of its own; the tests start theirs.
echo "slapd slapd/no_configuration boolean true" | debconf-set-selections 2>/dev/null || true
apt-get install -y -qq "${missing[@]}" >/dev/null
