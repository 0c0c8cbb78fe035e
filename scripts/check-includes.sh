#!/usr/bin/env bash
# Fails when an #include points up the layers (docs/request-path.md, "Where things live"):
# a module under src/ includes only the modules listed for it below, and inside src/broker/ a
# handler includes no other handler and the concern folders include neither handlers/ nor
# dispatch/. Adding a dependency is a decision: change the table here with the code.
set -euo pipefail
cd "$(dirname "$0")/.."

# What each module may include besides itself, lowest layers first.
declare -A allowed=(
  [common]=""
  [compression]="common"
  [records]="common compression"
  [protocol]="common"
  [config]="common compression"
  [metadata]="common config"
  [storage]="common compression config records"
  [net]="common protocol"
  [reconcile]="common config metadata storage"
  [group]="common compression config metadata protocol records storage"
  [broker]="common compression config group metadata net protocol reconcile records storage"
  [server]="common compression config group metadata net protocol reconcile records storage broker"
)

failures=0
fail() {
  echo "$1"
  failures=$((failures + 1))
}

# file:module-it-includes, one line per include of a module folder.
while IFS=: read -r file target; do
  module=${file#src/}
  module=${module%%/*}
  [ "$target" = "$module" ] && continue
  [ -d "src/$target" ] || continue  # not a module (e.g. a library's folder)
  if [ -z "${allowed[$module]+set}" ]; then
    fail "$file: module '$module' has no row in scripts/check-includes.sh"
    continue
  fi
  case " ${allowed[$module]} " in
    *" $target "*) ;;
    *) fail "$file: $module must not include $target/" ;;
  esac
done < <(git ls-files 'src/*.h' 'src/*.cc' | grep -v '^src/protocol/generated/' |
  xargs grep -HE '^#include "[a-z_]+/' | sed -E 's|^([^:]+):#include "([a-z_]+)/.*|\1:\2|' | sort -u)

# Inside broker/: handlers include no other handler's header (tests of several handlers
# may), and what handlers share never reaches up to handlers/ or dispatch/.
while IFS=: read -r file header; do
  case "$file" in
    src/broker/handlers/*_test.cc | src/broker/dispatch/*) ;;
    src/broker/handlers/*)
      own=$(basename "$file")
      own=${own%.*}
      if [[ "$header" == broker/handlers/* && "$header" != "broker/handlers/$own.h" ]]; then
        fail "$file: a handler includes another handler ($header)"
      fi
      ;;
    *) fail "$file: a concern folder includes $header" ;;
  esac
done < <(git ls-files 'src/broker/*.h' 'src/broker/*.cc' |
  xargs grep -HE '^#include "broker/(handlers|dispatch)/' | sed -E 's|^([^:]+):#include "([^"]+)".*|\1:\2|')

if [ "$failures" -gt 0 ]; then
  echo "includes: $failures violation(s)"
  exit 1
fi
echo "includes ok"
