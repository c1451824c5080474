package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// pathError is a path that does not name a field.
type pathError struct {
	Path, Msg string
}

func (e *pathError) Error() string { return e.Path + ": " + e.Msg }

// walkPath follows path from v. When set is non-nil, the final value is
// replaced by set(target) (map entries are written back); missing pointers
// are allocated with their defaults when allocating is true.
func walkPath(v reflect.Value, path string, allocate bool, at func(reflect.Value) error) error {
	if path == "" {
		return &pathError{Path: path, Msg: "empty path"}
	}
	segs := strings.Split(path, ".")
	return walkSegs(v, segs, 0, path, allocate, at)
}

func walkSegs(v reflect.Value, segs []string, i int, path string, allocate bool, at func(reflect.Value) error) error {
	if i == len(segs) && v.Kind() == reflect.Pointer && v.CanSet() {
		return at(v) // the pointer itself, so that null clears it
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if !allocate || !v.CanSet() {
				return &pathError{Path: path, Msg: fmt.Sprintf("%s is not set", strings.Join(segs[:i], "."))}
			}
			v.Set(newDefault(v.Type().Elem(), &yaml.Node{}))
		}
		v = v.Elem()
	}
	if i == len(segs) {
		return at(v)
	}
	seg := segs[i]
	here := strings.Join(segs[:i], ".")
	if here == "" {
		here = "the scenario"
	}
	switch v.Kind() {
	case reflect.Struct:
		f, ok := fieldByName(v.Type(), seg)
		if !ok {
			return &pathError{Path: path, Msg: fmt.Sprintf("%s has no field %q%s", here, seg, DidYouMean(seg, fieldNames(v.Type())))}
		}
		return walkSegs(v.Field(f.index), segs, i+1, path, allocate, at)
	case reflect.Slice, reflect.Array:
		idx := -1
		var ids []string
		if v.Type().Elem().Kind() == reflect.Struct {
			key := "id"
			if v.Type().Elem() == reflect.TypeOf(Variant{}) {
				key = "name"
			}
			if f, ok := fieldByName(v.Type().Elem(), key); ok {
				for j := 0; j < v.Len(); j++ {
					id := v.Index(j).Field(f.index).String()
					ids = append(ids, id)
					if id == seg && idx < 0 {
						idx = j
					}
				}
			}
		}
		if idx < 0 && isIndex(seg) {
			if n, err := strconv.Atoi(seg); err == nil && n < v.Len() {
				idx = n
			}
		}
		if idx < 0 {
			msg := fmt.Sprintf("%s has no element %q", here, seg)
			if len(ids) > 0 {
				msg += DidYouMean(seg, ids)
				if len(ids) <= 12 {
					msg += " (ids: " + strings.Join(ids, ", ") + ")"
				}
			} else {
				msg += fmt.Sprintf(" (%d elements)", v.Len())
			}
			return &pathError{Path: path, Msg: msg}
		}
		return walkSegs(v.Index(idx), segs, i+1, path, allocate, at)
	case reflect.Map:
		key := reflect.ValueOf(seg)
		old := v.MapIndex(key)
		if !old.IsValid() && !allocate {
			keys := make([]string, 0, v.Len())
			for _, k := range v.MapKeys() {
				keys = append(keys, k.String())
			}
			slices.Sort(keys)
			return &pathError{Path: path, Msg: fmt.Sprintf("%s has no key %q%s", here, seg, DidYouMean(seg, keys))}
		}
		e := reflect.New(v.Type().Elem()).Elem()
		if old.IsValid() {
			e.Set(old)
		}
		if err := walkSegs(e, segs, i+1, path, allocate, at); err != nil {
			return err
		}
		if allocate {
			if v.IsNil() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			v.SetMapIndex(key, e)
		}
		return nil
	}
	return &pathError{Path: path, Msg: fmt.Sprintf("%s is a %s, not a mapping or list", here, kindName(v))}
}

// isIndex reports whether seg is a list index as paths write it: decimal
// digits without a sign or a leading zero ("0", "12"; not "+1", "-0", "01").
func isIndex(seg string) bool {
	if seg == "" || len(seg) > 9 || (len(seg) > 1 && seg[0] == '0') {
		return false
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return false
		}
	}
	return true
}

func kindName(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Uint64, reflect.Float64:
		return "number"
	}
	return v.Kind().String()
}

// Get returns the value at path (see Paths in the package documentation):
// a float64, int, uint64, string, bool, or a struct, slice or map of the
// language's types.
func Get(sc *Scenario, path string) (any, error) {
	var out any
	err := walkPath(reflect.ValueOf(sc).Elem(), path, false, func(v reflect.Value) error {
		out = v.Interface()
		return nil
	})
	return out, err
}

// GetFloat returns the numeric value at path as a float64.
func GetFloat(sc *Scenario, path string) (float64, error) {
	x, err := Get(sc, path)
	if err != nil {
		return 0, err
	}
	if v, ok := toFloat(x); ok {
		return v, nil
	}
	return 0, &pathError{Path: path, Msg: fmt.Sprintf("is not a number (it is a %s)", kindName(reflect.ValueOf(x)))}
}

// Set replaces the value at path (see Paths in the package documentation)
// with value: a Go value (number, string, bool, []any, map[string]any, or a
// value of the language's types) or a *yaml.Node. Type errors are reported
// as for a scenario file. Setting a mapping into a struct changes only the
// fields it names; a list is replaced whole, its elements starting from
// their defaults. Variants cannot be set. The caller re-validates with
// Validate.
func Set(sc *Scenario, path string, value any) error {
	return setAt(sc, path, value, Pos{File: "--set"})
}

func setAt(sc *Scenario, path string, value any, at Pos) error {
	if path == "variants" || strings.HasPrefix(path, "variants.") {
		return &pathError{Path: path, Msg: "variants cannot be set"}
	}
	if path == "extends" {
		return &pathError{Path: path, Msg: "extends cannot be set"}
	}
	n, ok := value.(*yaml.Node)
	if !ok {
		n = new(yaml.Node)
		if err := n.Encode(value); err != nil {
			return &pathError{Path: path, Msg: "cannot encode value: " + err.Error()}
		}
	}
	var c errs
	if sc.pos == nil {
		sc.pos = map[string]Pos{}
	}
	d := &decoder{errs: &c, file: at.File, pos: map[string]Pos{}, override: &at}
	err := walkPath(reflect.ValueOf(sc).Elem(), path, true, func(v reflect.Value) error {
		if !v.CanSet() {
			return &pathError{Path: path, Msg: "cannot be set"}
		}
		tmp := reflect.New(v.Type()).Elem()
		tmp.Set(v)
		d.decode(n, tmp, path)
		if len(c.list) == 0 {
			v.Set(tmp)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := c.err(); err != nil {
		return err
	}
	// Paths under the set field now come from the override.
	for p := range sc.pos {
		if p == path || strings.HasPrefix(p, path+".") {
			delete(sc.pos, p)
		}
	}
	for p := range d.pos {
		sc.pos[p] = at
	}
	if path == "creators.roster" || strings.HasPrefix(path, "creators") {
		// A changed roster path is resolved relative to the scenario file.
		if sc.Creators.Roster != "" && sc.rosterFile == "" {
			sc.rosterFile = resolveRel(sc.file, sc.Creators.Roster)
		}
	}
	return nil
}

// Clone returns a deep copy of sc.
func Clone(sc *Scenario) *Scenario {
	out := new(Scenario)
	deepCopy(reflect.ValueOf(out).Elem(), reflect.ValueOf(sc).Elem())
	out.file = sc.file
	out.rosterFile = sc.rosterFile
	out.rosterData = sc.rosterData
	out.pos = make(map[string]Pos, len(sc.pos))
	for k, v := range sc.pos {
		out.pos[k] = v
	}
	return out
}

func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Struct:
		for i := 0; i < src.NumField(); i++ {
			if src.Type().Field(i).IsExported() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Array:
		for i := 0; i < src.Len(); i++ {
			deepCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		iter := src.MapRange()
		for iter.Next() {
			e := reflect.New(src.Type().Elem()).Elem()
			deepCopy(e, iter.Value())
			m.SetMapIndex(iter.Key(), e)
		}
		dst.Set(m)
	case reflect.Interface:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		deepCopy(e, src.Elem())
		dst.Set(e)
	default:
		dst.Set(src)
	}
}

// ApplyVariant returns a copy of base with the variant's changes applied
// (in path order, so the result does not depend on map order) and
// validated. The copy has no variants, optimize, sweep or calibrate block:
// those belong to the baseline.
func ApplyVariant(base *Scenario, v Variant) (*Scenario, error) {
	sc := Clone(base)
	sc.Variants, sc.Optimize, sc.Sweep, sc.Calibrate = nil, nil, nil, nil
	var c errs
	for _, p := range sortedKeys(v.Set) {
		at := sc.posFor("variants." + v.Name + ".set." + p)
		if len(base.pos) == 0 {
			at = Pos{File: "variant " + v.Name}
		}
		if err := setAt(sc, p, v.Set[p], at); err != nil {
			c.addErr(at, "variants."+v.Name+".set."+p, err)
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if err := Validate(sc); err != nil {
		return nil, err
	}
	return sc, nil
}

// addErr adds err (an Errors, a *pathError or any error) at p.
func (c *errs) addErr(p Pos, path string, err error) {
	switch e := err.(type) {
	case Errors:
		c.list = append(c.list, e...)
	case *pathError:
		c.add(p, path, e.Msg, "", "")
	default:
		c.add(p, path, err.Error(), "", "")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
