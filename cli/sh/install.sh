#!/bin/sh
# gitlink installer for environments without Node (docs/ARCHITECTURE.md §3b, GET /install.sh):
#
#   export GITLINK_URL=https://git.example.com GITLINK_TOKEN=glk_…
#   curl -fsSL "$GITLINK_URL/install.sh" | sh
#
# - installs ~/.local/bin/git-credential-gitlink and ~/.local/bin/gitlink (one sh script);
# - keeps the token in ~/.config/gitlink/token, mode 0600, never in a shell profile;
# - runs `gitlink setup` (git's credential-cache, then gitlink, for every provider host that
#   serves git over HTTPS) and `gitlink ssh-key` (the key pair and ~/.ssh/config entries);
# - prints what it changed; run again, it changes nothing and says so.
# The server fills in the script below when it serves this file.
# shellcheck shell=sh
set -u
umask 077

say() { printf 'gitlink install: %s\n' "$*" >&2; }

gitlink_script() {
  cat <<'GITLINK_SCRIPT_END'
@@GITLINK_SH@@
GITLINK_SCRIPT_END
}

# Writes stdin to $1 with mode $2 unless it already holds exactly that; reports either way.
install_file() {
  tmp=$1.tmp-$$
  if ! { cat >"$tmp" && chmod "$2" "$tmp"; }; then rm -f "$tmp"; return 1; fi
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then
    rm -f "$tmp"
    chmod "$2" "$1"
    printf 'unchanged %s\n' "$1"
  else
    mv -f "$tmp" "$1" && printf 'installed %s\n' "$1"
  fi
}

main() {
  if [ -z "${GITLINK_URL:-}" ] || [ -z "${GITLINK_TOKEN:-}" ]; then
    say 'set GITLINK_URL and GITLINK_TOKEN (an environment token from the gitlink web UI) first'
    return 1
  fi
  [ -n "${HOME:-}" ] || { say 'HOME is not set'; return 1; }
  command -v git >/dev/null 2>&1 || { say 'git is not installed'; return 1; }
  bin=$HOME/.local/bin
  conf=${XDG_CONFIG_HOME:-$HOME/.config}/gitlink
  # ~/.local/bin as any program's (0755); the token's folder for its owner alone.
  if ! { (umask 022 && mkdir -p "$bin") && mkdir -p "$conf" && chmod 700 "$conf"; }; then
    say "could not create $bin or $conf"
    return 1
  fi

  # The credentials first, so the installed script checks the URL and token itself.
  log=$( {
    printf '%s\n' "${GITLINK_URL%/}" | install_file "$conf/url" 600
    printf '%s\n' "$GITLINK_TOKEN" | install_file "$conf/token" 600
    gitlink_script | install_file "$bin/gitlink" 755
    gitlink_script | install_file "$bin/git-credential-gitlink" 755
  } ) || { say "could not write to $bin or $conf"; return 1; }
  # From here on the installed files are the configuration, as they will be for git.
  for step in setup ssh-key; do
    out=$(GITLINK_URL='' GITLINK_TOKEN='' "$bin/gitlink" "$step") || {
      [ -z "$log" ] || printf '%s\n' "$log"
      [ -z "${out:-}" ] || printf '%s\n' "$out"
      say "gitlink $step failed (see above); fix it and run the installer again"
      return 1
    }
    log=$log${log:+
}$out
  done

  changes=$(printf '%s\n' "$log" | grep -v -e '^unchanged ' -e '^key fingerprint ')
  if [ -z "$changes" ]; then
    printf 'gitlink: nothing to change (%s)\n' "$("$bin/gitlink" --version)"
  else
    printf '%s\n' "$changes"
    printf 'gitlink: installed %s; git clone and git push now authenticate through gitlink.\n' "$("$bin/gitlink" --version)"
  fi
  # Said on every run while it holds: git has nothing to ask gitlink for yet.
  case $log in
    *'(no provider serves git over HTTPS)'*)
      printf 'gitlink: no provider serves git over HTTPS yet; once one does, run "gitlink setup" (or this installer) again.\n' ;;
  esac
  case :${PATH:-}: in
    *:"$bin":*) ;;
    *) printf 'gitlink: to run "gitlink status", add %s to PATH (git itself needs nothing more).\n' "$bin" ;;
  esac
}

# All of it parsed before anything runs, and no command reads the rest of a piped script.
main "$@" </dev/null
