package json

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"sync"
)

// nullFloat is a float64 that encodes NaN and infinities as null. finite builds a
// copy of the report in which every float64 is a nullFloat, so encoding/json
// keeps its own field order, tags and float formatting for everything else.
type nullFloat float64

var nullFloatType = reflect.TypeFor[nullFloat]()

// MarshalJSON writes f as encoding/json writes a float64, or null when f has no
// JSON number.
func (f nullFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// leaf reports whether t encodes itself (time.Time does), so its fields are not
// visited: encoding/json would not visit them either.
func leaf(t reflect.Type) bool {
	return t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)
}

// hasNonFinite reports whether a NaN or an infinity is anywhere in v that
// encoding/json would encode.
func hasNonFinite(v any) bool {
	return walkNonFinite(reflect.ValueOf(v))
}

func walkNonFinite(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		return math.IsNaN(f) || math.IsInf(f, 0)
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && walkNonFinite(v.Elem())
	case reflect.Struct:
		if leaf(v.Type()) {
			return false
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && walkNonFinite(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return false // []byte encodes as base64
		}
		for i := range v.Len() {
			if walkNonFinite(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if walkNonFinite(it.Value()) {
				return true
			}
		}
	}
	return false
}

// finite returns a copy of v whose types have every float replaced by nullFloat.
func finite(v any) any {
	rv := reflect.ValueOf(v)
	return convert(rv, mirror(rv.Type())).Interface()
}

var mirrors sync.Map // reflect.Type -> reflect.Type

// mirror returns t with every float64 inside it replaced by nullFloat, or t
// itself when it holds none.
func mirror(t reflect.Type) reflect.Type {
	if m, ok := mirrors.Load(t); ok {
		return m.(reflect.Type)
	}
	m := buildMirror(t)
	mirrors.Store(t, m)
	return m
}

func buildMirror(t reflect.Type) reflect.Type {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return nullFloatType
	case reflect.Pointer:
		if e := mirror(t.Elem()); e != t.Elem() {
			return reflect.PointerTo(e)
		}
	case reflect.Slice:
		if e := mirror(t.Elem()); e != t.Elem() {
			return reflect.SliceOf(e)
		}
	case reflect.Array:
		if e := mirror(t.Elem()); e != t.Elem() {
			return reflect.ArrayOf(t.Len(), e)
		}
	case reflect.Map:
		if e := mirror(t.Elem()); e != t.Elem() {
			return reflect.MapOf(t.Key(), e)
		}
	case reflect.Struct:
		if leaf(t) {
			return t
		}
		changed := false
		var fields []reflect.StructField
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue // encoding/json skips it too
			}
			if m := mirror(f.Type); m != f.Type {
				f.Type = m
				changed = true
			}
			f.Index, f.Offset = nil, 0
			fields = append(fields, f)
		}
		if changed {
			return reflect.StructOf(fields)
		}
	}
	return t
}

// convert copies v into a value of type t, a mirror of v's type.
func convert(v reflect.Value, t reflect.Type) reflect.Value {
	if v.Type() == t {
		return v
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return reflect.ValueOf(nullFloat(v.Float()))
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(convert(v.Elem(), t.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		s := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(convert(v.Index(i), t.Elem()))
		}
		return s
	case reflect.Array:
		a := reflect.New(t).Elem()
		for i := range v.Len() {
			a.Index(i).Set(convert(v.Index(i), t.Elem()))
		}
		return a
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(t)
		}
		m := reflect.MakeMapWithSize(t, v.Len())
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(it.Key(), convert(it.Value(), t.Elem()))
		}
		return m
	case reflect.Struct:
		s := reflect.New(t).Elem()
		for i := range t.NumField() {
			f := t.Field(i)
			s.Field(i).Set(convert(v.FieldByName(f.Name), f.Type))
		}
		return s
	}
	panic("json: cannot mirror a " + v.Type().String() + " as " + t.String() + " (kind " + strconv.Itoa(int(v.Kind())) + ")")
}
