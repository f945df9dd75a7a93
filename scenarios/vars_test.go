package scenarios

import "strings"

// varArgs gives the --var flags for defaults overridden by overrides (both
// KEY=VALUE, later keys win), each key once: benchctl refuses a var given twice.
func varArgs(defaults []string, overrides ...string) []string {
	var keys []string
	vals := map[string]string{}
	for _, kv := range append(append([]string(nil), defaults...), overrides...) {
		k, _, _ := strings.Cut(kv, "=")
		if _, seen := vals[k]; !seen {
			keys = append(keys, k)
		}
		vals[k] = kv
	}
	var args []string
	for _, k := range keys {
		args = append(args, "--var", vals[k])
	}
	return args
}
