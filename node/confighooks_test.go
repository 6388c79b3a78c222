package node

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"cyclecash/node/worker"
)

// wiring are the fields kept from the config file (toml:"-") that node
// sets at run time and that are not test hooks.
var wiring = []string{
	"overlay.RelayLimits.ReplayLow", // node's rotateLoop: rotate the onion key early
}

// configHookViolations lists the test hooks in config type tp: fields a
// TOML file reaches (tagged, or exported and untagged) that hold code
// (func, chan, interface) or carry a test hook's name (a field of
// worker.Hooks), and fields kept from the file that are neither named
// …ForTest nor listed in wiring.
func configHookViolations(tp reflect.Type, path string, seen map[reflect.Type]bool) []string {
	for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Slice || tp.Kind() == reflect.Array || tp.Kind() == reflect.Map {
		tp = tp.Elem()
	}
	if tp.Kind() != reflect.Struct || seen[tp] {
		return nil
	}
	seen[tp] = true
	var hookNames []string
	for f := range reflect.TypeFor[worker.Hooks]().Fields() {
		hookNames = append(hookNames, f.Name)
	}
	var out []string
	for f := range tp.Fields() {
		name := path + "." + f.Name
		switch {
		case !f.IsExported():
		case f.Tag.Get("toml") == "-":
			if !strings.HasSuffix(f.Name, "ForTest") && !slices.Contains(wiring, tp.String()+"."+f.Name) {
				out = append(out, name+": kept from the file but neither named …ForTest nor wiring")
			}
		case slices.Contains([]reflect.Kind{reflect.Func, reflect.Chan, reflect.Interface, reflect.UnsafePointer}, f.Type.Kind()):
			out = append(out, name+": code in a TOML-facing config")
		case slices.Contains(hookNames, f.Name):
			out = append(out, name+": a test hook's name in a TOML-facing config")
		default:
			out = append(out, configHookViolations(f.Type, name, seen)...)
		}
	}
	return out
}

// TestConfigHasNoTestHooks: no test hook can be set from node.toml (the
// old [compute] section exported Tamper, ChildPath, LoadAverage and
// Observe, which a config file could name): every field a file reaches,
// in every section, is plain data, and test hooks sit beside the sections
// under toml:"-" and a …ForTest name. The check catches each old shape.
func TestConfigHasNoTestHooks(t *testing.T) {
	t.Parallel()
	for _, v := range configHookViolations(reflect.TypeFor[Config](), "Config", map[reflect.Type]bool{}) {
		t.Error(v)
	}
	type hooks struct{ LoadAverage func() (float64, error) }
	for _, tc := range []struct {
		name string
		tp   reflect.Type
		bad  bool
	}{
		{"a tagged hook", reflect.TypeFor[struct {
			Tamper func([]byte) []byte `toml:"tamper"`
		}](), true},
		{"an untagged hook", reflect.TypeFor[struct{ Observe func(string) }](), true},
		{"a hook in a section", reflect.TypeFor[struct {
			Compute struct{ Hooks hooks } `toml:"compute"`
		}](), true},
		{"a data hook by name", reflect.TypeFor[struct {
			ChildPath string `toml:"child_path"`
		}](), true},
		{"kept from the file, not named for tests", reflect.TypeFor[struct {
			Hooks hooks `toml:"-"`
		}](), true},
		{"kept from the file and named for tests", reflect.TypeFor[struct {
			Mode         string `toml:"mode"`
			HooksForTest hooks  `toml:"-"`
		}](), false},
	} {
		if got := configHookViolations(tc.tp, "C", map[reflect.Type]bool{}); len(got) > 0 != tc.bad {
			t.Errorf("%s: violations %q, want bad=%v", tc.name, got, tc.bad)
		}
	}
}
