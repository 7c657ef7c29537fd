-- Tarn for Neovim (0.8 or later), without nvim-lspconfig.
--
-- Registers the `bloblang` filetype for `*.blobl` files and starts
-- `tarn lsp` for Bloblang buffers and pipeline configs (YAML buffers: the
-- mappings in them, plus component and field completion, hover and lint).
--
-- Put this file on your runtimepath as `lua/tarn.lua` and call
--   require('tarn').setup()
-- from init.lua, or source it directly with `:luafile path/to/tarn.lua`
-- (sourcing it runs `setup()` with the defaults).

local M = {}

local defaults = {
  -- The server command; change the first item to a full path if `tarn`
  -- is not on PATH.
  cmd = { 'tarn', 'lsp' },
  -- Buffers of these filetypes get the server.
  filetypes = { 'bloblang', 'yaml' },
  -- Files whose nearest ancestor directory becomes the workspace root.
  root_markers = { '.git' },
}

local function root_dir(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= '' and vim.fs.dirname(name) or vim.fn.getcwd()
  local found = vim.fs.find(markers, { path = start, upward = true })[1]
  return found and vim.fs.dirname(found) or start
end

function M.setup(opts)
  local cfg = vim.tbl_deep_extend('force', {}, defaults, opts or {})

  vim.filetype.add({ extension = { blobl = 'bloblang' } })

  local group = vim.api.nvim_create_augroup('tarn_lsp', { clear = true })

  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'bloblang',
    callback = function(args)
      vim.bo[args.buf].commentstring = '# %s'
      vim.bo[args.buf].comments = ':#'
    end,
  })

  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = cfg.filetypes,
    callback = function(args)
      vim.lsp.start({
        name = 'tarn',
        cmd = cfg.cmd,
        root_dir = root_dir(args.buf, cfg.root_markers),
      }, { bufnr = args.buf })
    end,
  })
end

-- Sourced directly (`:luafile`, `dofile`) rather than required: set up now.
if not ... then
  M.setup()
end

return M
