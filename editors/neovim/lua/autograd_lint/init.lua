--- autograd-lint for Neovim: starts the autograd-lint language server for Python buffers
--- with the built-in LSP client.
---
---   require("autograd_lint").setup({
---     cmd = { "autograd-lint", "server" },      -- optional
---     settings = { select = { "AG" }, runtimeCheck = "mini", device = "cpu" },
---   })
---
--- On Neovim 0.11+ the server is registered with vim.lsp.config / vim.lsp.enable; on 0.9 and
--- 0.10 a FileType autocommand calls vim.lsp.start. Diagnostics, code actions (quick fixes)
--- and hover come from the server; :AutogradLintWitness shows the witness of the finding
--- under the cursor.
local M = {}

M.name = "autograd_lint"
--- The settings section the server reads (`{"autograd-lint": {...}}`).
M.section = "autograd-lint"
M.witness_command = "autograd-lint.showWitness"

local defaults = {
  cmd = nil, -- nil: `autograd-lint server` if on PATH, else `python3 -m autograd_lint server`
  python = nil, -- interpreter for the fallback command
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.cfg", "setup.py", ".git" },
  settings = {}, -- select, ignore, runtimeCheck, device, severity, preview, debounceMs
  -- "auto": vim.lsp.config/enable on 0.11+, vim.lsp.start before; "config" or "start" to
  -- choose (e.g. "start" when another part of the configuration owns vim.lsp.enable).
  api = "auto",
  on_attach = nil,
  on_init = nil,
  capabilities = nil,
}

M.config = vim.deepcopy(defaults)

--- The server's command line: an explicit `cmd`, else the `autograd-lint` script on PATH,
--- else `<python> -m autograd_lint server`.
function M.default_cmd(opts)
  opts = opts or M.config
  if opts.cmd then
    return opts.cmd
  end
  if vim.fn.executable("autograd-lint") == 1 then
    return { "autograd-lint", "server" }
  end
  return { opts.python or "python3", "-m", "autograd_lint", "server" }
end

local function root_dir_for(bufnr, markers)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local start = path ~= "" and vim.fs.dirname(path) or vim.fn.getcwd()
  local found = vim.fs.find(markers, { path = start, upward = true })[1]
  return found and vim.fs.dirname(found) or start
end

--- Whether this Neovim can be told to pull diagnostics again (workspace/diagnostic/refresh).
---
--- Neovim 0.10 and 0.11 pull diagnostics on open and on edits but have no handler for the
--- refresh request. A server in pull mode then cannot update findings that change without
--- an edit (a new setting, a finished runtime check). Such a client is better served by push
--- (textDocument/publishDiagnostics), which every Neovim handles.
local function can_refresh_pulls(caps)
  local workspace_diagnostics = caps.workspace and caps.workspace.diagnostics
  return workspace_diagnostics ~= nil and workspace_diagnostics.refreshSupport == true
end

--- The client's capabilities; without refresh support, pull diagnostics are declined
--- (vim.NIL, because Neovim merges these over its defaults and a nil would not remove them).
function M.capabilities(extra)
  local caps = vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), extra or {})
  if not can_refresh_pulls(caps) and caps.textDocument then
    caps.textDocument.diagnostic = vim.NIL
  end
  return caps
end

--- Runs once the server answered initialize: with push chosen, Neovim must not also pull
--- (the same findings would show twice, in two namespaces).
local function on_init(user_on_init)
  return function(client, result)
    if client.capabilities.textDocument and client.capabilities.textDocument.diagnostic == vim.NIL then
      client.server_capabilities.diagnosticProvider = nil
    end
    if user_on_init then
      return user_on_init(client, result)
    end
  end
end

--- The client configuration shared by every Neovim version.
function M.client_config(opts)
  opts = opts or M.config
  local settings = vim.deepcopy(opts.settings or {})
  return {
    name = M.name,
    cmd = M.default_cmd(opts),
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    -- The server reads its settings from initializationOptions at start, and from
    -- workspace/configuration and didChangeConfiguration (section "autograd-lint") later.
    init_options = { [M.section] = settings },
    settings = { [M.section] = settings },
    on_attach = opts.on_attach,
    on_init = on_init(opts.on_init),
    capabilities = M.capabilities(opts.capabilities),
  }
end

local function has_new_api()
  return vim.fn.has("nvim-0.11") == 1 and vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

--- Start (or reuse) the client for one buffer: the 0.9 / 0.10 path.
function M.start(bufnr, opts)
  opts = opts or M.config
  local config = M.client_config(opts)
  config.root_dir = root_dir_for(bufnr, opts.root_markers)
  config.root_markers = nil
  config.filetypes = nil
  return vim.lsp.start(config, { bufnr = bufnr })
end

-- Client methods are called with `:` from 0.11 on, and as plain fields before.
local function call(client, method, ...)
  if vim.fn.has("nvim-0.11") == 1 then
    return client[method](client, ...)
  end
  return client[method](...)
end

--- The running autograd-lint client attached to `bufnr`, if any.
function M.client(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ name = M.name, bufnr = bufnr or 0 })[1]
end

--- Sends new settings to the running server (didChangeConfiguration).
function M.update_settings(settings)
  M.config.settings = vim.tbl_deep_extend("force", M.config.settings or {}, settings)
  for _, client in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = M.name })) do
    client.settings = { [M.section] = vim.deepcopy(M.config.settings) }
    call(client, "notify", "workspace/didChangeConfiguration", { settings = client.settings })
  end
end

--- The diagnostic under the cursor that this server published, or nil.
local function finding_at_cursor(bufnr)
  local cursor = vim.api.nvim_win_get_cursor(0)
  local line, col = cursor[1] - 1, cursor[2]
  local best
  for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = line })) do
    if d.source == M.section then
      local within = col >= d.col and (d.end_lnum > line or col <= d.end_col)
      if within or best == nil then
        best = d
      end
    end
  end
  return best
end

--- Asks the server for the witness of the finding under the cursor and shows it in a new
--- scratch buffer (Python, runnable as it is).
function M.show_witness(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.client(bufnr)
  if not client then
    vim.notify("autograd-lint: server not running for this buffer", vim.log.levels.WARN)
    return
  end
  local d = finding_at_cursor(bufnr)
  if not d then
    vim.notify("autograd-lint: no finding under the cursor", vim.log.levels.INFO)
    return
  end
  local lsp = d.user_data and d.user_data.lsp or {}
  local argument = {
    uri = vim.uri_from_bufnr(bufnr),
    code = d.code,
    range = lsp.range or {
      start = { line = d.lnum, character = d.col },
      ["end"] = { line = d.end_lnum, character = d.end_col },
    },
  }
  call(client, "request", "workspace/executeCommand", {
    command = M.witness_command,
    arguments = { argument },
  }, function(err, result)
    if err then
      vim.notify("autograd-lint: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    local lines = M.render_witness(result)
    vim.cmd("new")
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].bufhidden = "wipe"
    vim.bo[buf].filetype = "python"
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  end, bufnr)
end

--- The lines of the witness document: a comment header, then the runnable script.
function M.render_witness(result)
  if type(result) ~= "table" or type(result.script) ~= "string" then
    return { "# autograd-lint: no witness for this finding" }
  end
  local lines = { ("# autograd-lint %s: %s"):format(result.code or "", result.message or "") }
  for line in tostring(result.description or ""):gmatch("[^\n]+") do
    table.insert(lines, "# " .. line)
  end
  local verdict = result.verdict
  if type(verdict) == "table" and verdict.status then
    table.insert(lines, ("# Runtime check (%s): %s"):format(verdict.backend or "?", verdict.status))
  end
  table.insert(lines, "")
  vim.list_extend(lines, vim.split(result.script, "\n", { trimempty = true }))
  return lines
end

--- Configure and enable the server. Safe to call more than once (the last call wins).
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  local api = M.config.api
  if api ~= "auto" and api ~= "config" and api ~= "start" then
    error(("autograd_lint.setup: api must be 'auto', 'config' or 'start', not %s"):format(vim.inspect(api)))
  end
  if api == "config" and not has_new_api() then
    error("autograd_lint.setup: api = 'config' needs Neovim 0.11 or newer")
  end
  if api == "config" or (api == "auto" and has_new_api()) then
    vim.lsp.config(M.name, M.client_config(M.config))
    vim.lsp.enable(M.name)
  else
    local group = vim.api.nvim_create_augroup("autograd_lint", { clear = true })
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = M.config.filetypes,
      callback = function(args)
        M.start(args.buf, M.config)
      end,
    })
    -- Buffers already open when setup runs.
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
        M.start(buf, M.config)
      end
    end
  end
  vim.api.nvim_create_user_command("AutogradLintWitness", function()
    M.show_witness(0)
  end, { desc = "autograd-lint: show the witness of the finding under the cursor" })
  return M
end

return M
