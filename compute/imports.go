package compute

import (
	"fmt"
	"maps"
	"slices"
)

const wasiModule = "wasi_snapshot_preview1"

// allowedWASI lists the WASI preview 1 functions a task may import: stdio,
// arguments and environment (both fixed), clocks (fixed), randomness
// (seeded), scheduling and exit. Everything touching files by path or
// sockets is absent; with no preopened directory the fd_* calls below reach
// only stdin, stdout and stderr.
var allowedWASI = map[string]bool{
	"args_get": true, "args_sizes_get": true,
	"environ_get": true, "environ_sizes_get": true,
	"clock_res_get": true, "clock_time_get": true,
	"fd_close": true, "fd_fdstat_get": true, "fd_fdstat_set_flags": true,
	"fd_prestat_get": true, "fd_prestat_dir_name": true,
	"fd_read": true, "fd_write": true, "fd_seek": true, "fd_filestat_get": true,
	"poll_oneoff": true, "proc_exit": true, "random_get": true, "sched_yield": true,
}

// checkImports rejects any import but an allowed WASI function.
func checkImports(imports []Import) error {
	for _, imp := range imports {
		if imp.Module != wasiModule || imp.Kind != externFunc || !allowedWASI[imp.Name] {
			return fmt.Errorf("%w: %q.%q", ErrImportDenied, imp.Module, imp.Name)
		}
	}
	return nil
}

// AllowedImports returns the names of the allowed WASI functions, sorted.
func AllowedImports() []string {
	return slices.Sorted(maps.Keys(allowedWASI))
}
