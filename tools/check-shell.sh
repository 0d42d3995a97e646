#!/usr/bin/env bash
# Checks every shell script of the repository (*.sh, and the scripts with a shell shebang such as
# bin/tofu-operator): shellcheck (Debian's package, installed here when missing) with .shellcheckrc,
# and no command piped into `grep -q`. Under `set -o pipefail` such a pipeline fails when grep exits
# at its first match and the writer gets SIGPIPE, so the `||` branch runs although the text was found
# (seen as "Address already assigned" from a second `ip addr add`). Capture the output, then test it.
#
#   bash tools/check-shell.sh            check the repository (run by tools/test.sh)
#   bash tools/check-shell.sh FILE...    check only these files
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/cluster/lib/common.sh
source tools/cluster/lib/deps.sh

# The scripts to check: tracked and new (not ignored) files named *.sh or starting with a shell shebang.
shell_scripts() {
  local f first
  while IFS= read -r -d '' f; do
    [[ -f "$f" ]] || continue
    if [[ "$f" == *.sh ]]; then
      printf '%s\n' "$f"
      continue
    fi
    IFS= read -r first <"$f" || true
    [[ "$first" =~ ^#!.*[/[:space:]](ba)?sh([[:space:]]|$) ]] && printf '%s\n' "$f"
  done < <(git ls-files -z --cached --others --exclude-standard)
}

# Prints `file: line` for each command piped into `grep -q` (also -qx, --quiet, a pipe ending a line);
# fails when there is one. Comment lines are skipped.
piped_grep_q() {
  local f found=0 hits
  for f in "$@"; do
    # Joins lines ending in a pipe or a backslash (a pipeline split over lines reads as one), each
    # prefixed with the number of its first line.
    hits=$(awk '{ if (buf == "") start = NR; buf = buf $0 } /[|\\][[:space:]]*$/ { next } { print start ":" buf; buf = "" }
        END { if (buf != "") print start ":" buf }' "$f" |
      grep -E '(^|[^|])\|[[:space:]]*grep([[:space:]]+-[^[:space:]]+)*[[:space:]]+(-[[:alnum:]]*q[[:alnum:]]*|--quiet|--silent)([[:space:]]|$)' |
      grep -vE '^[0-9]+:[[:space:]]*#') || true
    if [[ -n "$hits" ]]; then
      found=1
      printf '%s: %s\n' "$f" "$hits" >&2
    fi
  done
  return $found
}

# The pattern check must be able to fail: it finds each bad form and passes each good one.
self_test() {
  local dir pipe='|' bad good
  dir=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the directory of this call
  trap "rm -rf '$dir'" RETURN
  bad=("ip addr show ${pipe} grep -q x || true" "  a ${pipe}grep -qx b && c" "a ${pipe} grep -E -q 'x'" "a ${pipe} grep --quiet x"
    "a ${pipe}"$'\n'"  grep -qF x")
  good=("grep -q x <<<\"\$y\"" "a || grep -q b file" "# a ${pipe} grep -q b" "a ${pipe} grep -c x" "a ${pipe} grep -v q")
  local i=0 s
  for s in "${bad[@]}"; do
    printf '%s\n' "$s" >"$dir/bad$i.sh"
    if piped_grep_q "$dir/bad$i.sh" 2>/dev/null; then
      echo "check-shell self-test: not found in: $s" >&2
      return 1
    fi
    i=$((i + 1))
  done
  for s in "${good[@]}"; do
    printf '%s\n' "$s" >"$dir/good$i.sh"
    if ! piped_grep_q "$dir/good$i.sh"; then
      echo "check-shell self-test: wrongly found in: $s" >&2
      return 1
    fi
    i=$((i + 1))
  done
}

deps_ensure_lint
if (($# > 0)); then files=("$@"); else mapfile -t files < <(shell_scripts); fi
((${#files[@]} > 0)) || die "no shell scripts found"
self_test
rc=0
shellcheck --version | sed -n 's/^version: /shellcheck /p'
shellcheck -x "${files[@]}" || rc=1
piped_grep_q "${files[@]}" || {
  echo "a command piped into grep -q fails under pipefail when grep exits first: capture its output, then test it" >&2
  rc=1
}
((rc == 0)) && echo "shell: ${#files[@]} scripts pass shellcheck, none pipes into grep -q"
exit $rc
