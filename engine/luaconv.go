package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// toLua converts any JSON-encodable Go value into Lua values, through its JSON
// form, so scenarios see exactly the field names of the documented JSON schema.
// Arrays become sequences starting at 1.
func toLua(L *lua.LState, v any) lua.LValue {
	data, err := json.Marshal(v)
	if err != nil {
		return lua.LNil
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return lua.LNil
	}
	return fromGeneric(L, generic)
}

func fromGeneric(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []any:
		t := L.CreateTable(len(x), 0)
		for _, e := range x {
			t.Append(fromGeneric(L, e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSetString(k, fromGeneric(L, x[k]))
		}
		return t
	}
	return lua.LNil
}

// finite keeps NaN and infinities out of JSON-bound values.
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// cellString is a Lua value as text for a table cell or a message: whole
// numbers without a decimal point.
func cellString(v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return formatNumber(float64(n))
	}
	return lua.LVAsString(v)
}

func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.6g", f)
}
