#!/usr/bin/env bash
# `portfolio export --pdf` renders through WeasyPrint (the pdf extra, installed from the lock files), which
# needs Pango and a font from the system. Install them with apt when missing; when that is impossible,
# say so: the export then stops with the reason, and the PDF tests skip with it.
set -u
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
libs=$("$LDCONFIG" -p 2>/dev/null)
fonts=$(command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | head -1)
if [[ "$libs" == *libpango-1.0.so.0* && "$libs" == *libpangoft2-1.0.so.0* && -n "$fonts" ]]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Pango for the submission PDF (WeasyPrint)..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
     fonts-dejavu-core >/dev/null) \
    || echo "warning: could not install Pango; portfolio export --pdf will say why it cannot run" >&2
else
  echo "warning: Pango is not installed and cannot be installed here (needs root and apt-get);" \
       "portfolio export --pdf will say why it cannot run" >&2
fi
exit 0
