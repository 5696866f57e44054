-- Headless Neovim check of the autograd-lint plugin, run as
--   nvim --headless --clean -u nvim_test.lua
-- with AUTOGRAD_LINT_NVIM_TEST naming a JSON file:
--   { "plugin": DIR, "cmd": [..], "diagnosticsFile": PATH, "fixFile": PATH,
--     "results": PATH, "timeoutMs": N, "hover": [LINE, COLUMN] (0-based) }
-- It records what Neovim itself holds (vim.diagnostic.get, buffer text) to "results" and
-- quits; any error is caught, recorded, and turned into a nonzero exit code, so a failure
-- never leaves a headless Neovim waiting for input.
local config_path = os.getenv("AUTOGRAD_LINT_NVIM_TEST")

local function read_json(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("*a")
  file:close()
  return vim.json.decode(text)
end

local function write_json(path, data)
  local file = assert(io.open(path .. ".tmp", "w"))
  file:write(vim.json.encode(data))
  file:close()
  assert(os.rename(path .. ".tmp", path))
end

local config = read_json(config_path)
local timeout = config.timeoutMs or 60000
local results = { ok = false, steps = {}, preferred = {} }

vim.opt.runtimepath:prepend(config.plugin)
vim.opt.swapfile = false
local plugin = require("autograd_lint")

local function ours(bufnr)
  return vim.tbl_filter(function(d)
    return d.source == plugin.section
  end, vim.diagnostic.get(bufnr))
end

local function has_code(code)
  return function(found)
    for _, d in ipairs(found) do
      if d.code == code then
        return true
      end
    end
    return false
  end
end

local function wait_for(what, bufnr, accept)
  local ok = vim.wait(timeout, function()
    return accept(ours(bufnr))
  end, 50)
  if not ok then
    local have = vim.tbl_map(function(d)
      return ("%s %d:%d %s"):format(d.code, d.lnum, d.col, d.message)
    end, ours(bufnr))
    error(("timed out after %d ms waiting for %s; have %s"):format(timeout, what, vim.inspect(have)))
  end
  return ours(bufnr)
end

local function describe(d)
  return {
    code = d.code,
    source = d.source,
    severity = vim.diagnostic.severity[d.severity],
    message = d.message,
    lnum = d.lnum,
    col = d.col,
    end_lnum = d.end_lnum,
    end_col = d.end_col,
  }
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n") .. "\n"
end

local function check_diagnostics()
  vim.cmd.edit(vim.fn.fnameescape(config.diagnosticsFile))
  local bufnr = vim.api.nvim_get_current_buf()
  results.filetype = vim.bo[bufnr].filetype
  local started = vim.uv.hrtime()
  local found = wait_for("AG001", bufnr, has_code("AG001"))
  results.diagnosticsMs = math.floor((vim.uv.hrtime() - started) / 1e6)
  results.diagnostics = vim.tbl_map(describe, found)
  local client = plugin.client(bufnr)
  results.client = client and { name = client.name, cmd = client.config.cmd } or vim.NIL
  return bufnr
end

local function check_confirmation(bufnr)
  -- The runtime check finishes after the first publish; its verdict must still reach Neovim
  -- (a pushed update, not a refresh request Neovim would ignore).
  local found = wait_for("AG001 to be confirmed", bufnr, function(f)
    for _, d in ipairs(f) do
      if d.code == "AG001" and d.message:find("confirmed", 1, true) then
        return true
      end
    end
    return false
  end)
  results.confirmedMessage = found[1].message
end

local function check_settings(bufnr)
  -- Ignoring AG001 through the plugin must reach the running server and clear the finding.
  plugin.update_settings({ ignore = { "AG001" } })
  wait_for("AG001 to go", bufnr, function(found)
    return not has_code("AG001")(found)
  end)
  plugin.update_settings({ ignore = {} })
  wait_for("AG001 to return", bufnr, has_code("AG001"))
  results.settingsRoundTrip = true
end

local function check_quick_fix()
  vim.cmd.edit(vim.fn.fnameescape(config.fixFile))
  local bufnr = vim.api.nvim_get_current_buf()
  local found = wait_for("AG002", bufnr, has_code("AG002"))
  local target
  for _, d in ipairs(found) do
    if d.code == "AG002" then
      target = d
    end
  end
  results.fixDiagnostics = vim.tbl_map(describe, found)
  local before = buffer_text(bufnr)
  local offered = {}
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  -- The same call a user's mapping makes; the filter picks the AG002 quick fix and
  -- apply=true applies it without a prompt.
  vim.lsp.buf.code_action({
    context = { only = { "quickfix" }, diagnostics = { target.user_data.lsp } },
    range = {
      start = { target.lnum + 1, target.col },
      ["end"] = { target.end_lnum + 1, math.max(target.end_col - 1, 0) },
    },
    filter = function(action)
      table.insert(offered, action.title)
      results.preferred[action.title] = action.isPreferred == true
      return action.title:lower():find("clone", 1, true) ~= nil
    end,
    apply = true,
  })
  local changed = vim.wait(timeout, function()
    return buffer_text(bufnr) ~= before
  end, 50)
  results.codeActions = offered
  if not changed then
    error("the quick fix did not change the buffer; offered: " .. vim.inspect(offered))
  end
  results.textAfterFix = buffer_text(bufnr)
  wait_for("AG002 to go", bufnr, function(f)
    return not has_code("AG002")(f)
  end)
  results.fixClearsAG002 = true
end

local function check_witness(bufnr)
  vim.api.nvim_set_current_buf(bufnr)
  local d = ours(bufnr)[1]
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local buffers_before = #vim.api.nvim_list_bufs()
  vim.cmd("AutogradLintWitness")
  local shown = vim.wait(timeout, function()
    return #vim.api.nvim_list_bufs() > buffers_before and vim.bo.filetype == "python"
      and vim.api.nvim_get_current_buf() ~= bufnr
  end, 50)
  if not shown then
    error("no witness buffer opened")
  end
  results.witness = buffer_text(vim.api.nvim_get_current_buf())
  vim.cmd("close")
end

local function floating_windows()
  return vim.tbl_filter(function(win)
    return vim.api.nvim_win_get_config(win).relative ~= ""
  end, vim.api.nvim_list_wins())
end

local function check_hover(bufnr)
  -- What a person gets from `K` on a tensor name: the float vim.lsp.buf.hover() opens.
  vim.api.nvim_set_current_buf(bufnr)
  for _, win in ipairs(floating_windows()) do
    vim.api.nvim_win_close(win, true)
  end
  vim.api.nvim_win_set_cursor(0, { config.hover[1] + 1, config.hover[2] })
  vim.lsp.buf.hover()
  local shown = vim.wait(timeout, function()
    return #floating_windows() > 0
  end, 50)
  if not shown then
    error("no hover window opened")
  end
  local float = floating_windows()[1]
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false)
  results.hover = table.concat(lines, "\n")
  vim.api.nvim_win_close(float, true)
end

local function hints_of(bufnr)
  return vim.tbl_map(function(item)
    local hint = item.inlay_hint
    local label = hint.label
    if type(label) == "table" then
      label = table.concat(vim.tbl_map(function(part)
        return part.value
      end, label))
    end
    return { line = hint.position.line, character = hint.position.character, label = label }
  end, vim.lsp.inlay_hint.get({ bufnr = bufnr }))
end

local function check_inlay_hints(bufnr)
  -- Off by default: enabling Neovim's inlay hints shows nothing until the setting is on.
  vim.api.nvim_set_current_buf(bufnr)
  vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  vim.wait(1000, function()
    return #hints_of(bufnr) > 0
  end, 50)
  results.inlayHintsBeforeSetting = hints_of(bufnr)
  plugin.update_settings({ inlayHints = true })
  if not vim.wait(timeout, function()
    return #hints_of(bufnr) > 0
  end, 50) then
    error("no inlay hints after turning the setting on")
  end
  results.inlayHints = hints_of(bufnr)
  plugin.update_settings({ inlayHints = false })
  results.inlayHintsGoWhenOff = vim.wait(timeout, function()
    return #hints_of(bufnr) == 0
  end, 50)
  vim.lsp.inlay_hint.enable(false, { bufnr = bufnr })
end

local function step(name, body, ...)
  local ok, err = xpcall(body, debug.traceback, ...)
  results.steps[name] = ok and "ok" or ("failed: " .. tostring(err))
  return ok, err
end

local function run()
  plugin.setup({ cmd = config.cmd, settings = config.settings or {}, api = config.api })
  results.api = config.api
  results.enabledThroughLspConfig = vim.lsp.is_enabled ~= nil and vim.lsp.is_enabled(plugin.name)
  local bufnr
  step("diagnostics", function()
    bufnr = check_diagnostics()
  end)
  step("quickFix", check_quick_fix)
  if bufnr then
    step("confirmation", check_confirmation, bufnr)
    step("hover", check_hover, bufnr)
    step("inlayHints", check_inlay_hints, bufnr)
    step("witness", check_witness, bufnr)
    step("settings", check_settings, bufnr)
  end
  results.ok = true
  for _, status in pairs(results.steps) do
    if status ~= "ok" then
      results.ok = false
    end
  end
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = xpcall(run, debug.traceback)
      if not ok then
        results.ok = false
        results.error = tostring(err)
      end
      pcall(write_json, config.results, results)
      for _, client in ipairs(vim.lsp.get_clients()) do
        client:stop(true)
      end
      if results.ok then
        vim.cmd("qa!")
      else
        vim.cmd("cquit 1")
      end
    end)
  end,
})
