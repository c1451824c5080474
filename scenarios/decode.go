package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// decoder turns a yaml.Node tree into Go values strictly, reporting every
// problem with its position: unknown keys (with a suggestion), duplicate
// keys, type errors, missing required fields. Fields absent from the YAML
// keep the value they had, so decoding into a value pre-filled with defaults
// applies the defaults exactly where the user left a field unset.
// quotedRE finds the name a did-you-mean hint suggests.
var quotedRE = regexp.MustCompile(`"([^"]+)"`)

type decoder struct {
	errs     *errs
	nodeFile map[*yaml.Node]string // file each node came from (extends)
	file     string                // default file name
	pos      map[string]Pos        // field path → position of its value
	// setLine/setCol position every node decoded from a --set override.
	override *Pos
	// steps counts decoded nodes, to stop alias bombs (billion laughs).
	steps     int
	exhausted bool
	// misspelled holds the paths of fields an unknown key was probably
	// meant for (its did-you-mean): they are not reported missing, and
	// the checks that depend on them are not run (one mistake, one message).
	misspelled map[string]bool
}

// maxDecodeSteps bounds the nodes decoded, aliases expanded.
const maxDecodeSteps = 2_000_000

func (d *decoder) step(n *yaml.Node, path string) bool {
	d.steps++
	if d.steps > maxDecodeSteps {
		if !d.exhausted {
			d.exhausted = true
			d.fail(n, path, "document too large (aliases expand to over 2,000,000 values)", "", "")
		}
		return false
	}
	return true
}

func (d *decoder) posOf(n *yaml.Node) Pos {
	if d.override != nil {
		return *d.override
	}
	f := d.file
	if nf, ok := d.nodeFile[n]; ok {
		f = nf
	}
	return Pos{File: f, Line: n.Line, Col: n.Column}
}

func (d *decoder) fail(n *yaml.Node, path, msg, got, allowed string) {
	d.errs.add(d.posOf(n), path, msg, got, allowed)
}

func joinPath(path, seg string) string {
	if path == "" {
		return seg
	}
	return path + "." + seg
}

// nodeDesc describes a node's value for "got ...".
func nodeDesc(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return quote(n.Value)
	}
	return "?"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// yamlFields maps a struct type's yaml names to field indexes, in order.
type fieldInfo struct {
	name      string
	index     int
	omitempty bool
}

// fieldCache holds yamlFields per struct type: decoding and validation ask
// for the same few types again and again.
var fieldCache sync.Map // reflect.Type -> []fieldInfo

func yamlFields(t reflect.Type) []fieldInfo {
	if v, ok := fieldCache.Load(t); ok {
		return v.([]fieldInfo)
	}
	fs := structFields(t)
	fieldCache.Store(t, fs)
	return fs
}

func structFields(t reflect.Type) []fieldInfo {
	var fs []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fs = append(fs, fieldInfo{name: name, index: i, omitempty: strings.Contains(opts, "omitempty")})
	}
	return fs
}

func fieldByName(t reflect.Type, name string) (fieldInfo, bool) {
	for _, f := range yamlFields(t) {
		if f.name == name {
			return f, true
		}
	}
	return fieldInfo{}, false
}

func fieldNames(t reflect.Type) []string {
	var ns []string
	for _, f := range yamlFields(t) {
		ns = append(ns, f.name)
	}
	return ns
}

// elemID returns the id (or, for variants, the name) a list element's
// mapping node declares, or "".
func elemID(t reflect.Type, n *yaml.Node) string {
	key := "id"
	if t == reflect.TypeOf(Variant{}) {
		key = "name"
	}
	if _, ok := fieldByName(t, key); !ok {
		return ""
	}
	if id := nodeField(n, key); id != "" || t != reflect.TypeOf(MatrixEntry{}) {
		return id
	}
	// A matrix entry's default id, as fillDerived sets it.
	stage := nodeField(n, "stage")
	if stage == "" {
		stage = "any"
	}
	return stage + "-" + nodeField(n, "type") + "-" + nodeField(n, "tier") + "-" + nodeField(n, "format")
}

// nodeField returns the scalar value of key in mapping node n, or "".
func nodeField(n *yaml.Node, key string) string {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := resolveAlias(n.Content[i+1])
			if v.Kind == yaml.ScalarNode && !isNull(v) {
				return v.Value
			}
		}
	}
	return ""
}

// entries calls each for the key and value of every entry of mapping n at
// path, once per key: a key that is not a scalar (nor, with noNullKey,
// null) is reported as not what was expected, a repeated one as a
// duplicate, and neither is passed on. It returns the keys seen.
func (d *decoder) entries(n *yaml.Node, path, what string, noNullKey bool, each func(k, val *yaml.Node)) map[string]bool {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolveAlias(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode || (noNullKey && isNull(k)) {
			d.fail(k, path, "expected "+what, nodeDesc(k), "")
			continue
		}
		if seen[k.Value] {
			d.fail(k, joinPath(path, k.Value), "duplicate key", quote(k.Value), "")
			continue
		}
		seen[k.Value] = true
		each(k, val)
	}
	return seen
}

// decode decodes n into v (settable) at path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolveAlias(n)
	if !d.step(n, path) {
		return
	}
	d.pos[path] = d.posOf(n)
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		d.decode(n.Content[0], v, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		if v.IsNil() {
			v.Set(newDefault(v.Type().Elem(), n))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		if isNull(n) {
			return // "platform:" with nothing under it keeps the defaults
		}
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "expected a mapping", nodeDesc(n), "")
			return
		}
		t := v.Type()
		seen := d.entries(n, path, "a field name", false, func(k, val *yaml.Node) {
			f, ok := fieldByName(t, k.Value)
			if !ok {
				hint := ""
				if !d.errs.full() {
					hint = DidYouMean(k.Value, fieldNames(t))
					if m := quotedRE.FindStringSubmatch(hint); m != nil {
						if d.misspelled == nil {
							d.misspelled = map[string]bool{}
						}
						d.misspelled[joinPath(path, m[1])] = true
					}
				}
				d.fail(k, path, "unknown field "+quote(k.Value)+hint, "", "")
				return
			}
			d.decode(val, v.Field(f.index), joinPath(path, k.Value))
		})
		for _, name := range requiredFields[t] {
			f, _ := fieldByName(t, name)
			if !seen[name] && v.Field(f.index).IsZero() && !d.misspelled[joinPath(path, name)] {
				d.fail(n, joinPath(path, name), "missing required field", "", "")
			}
		}
	case reflect.Slice:
		if isNull(n) {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expected a list", nodeDesc(n), "")
			return
		}
		et := v.Type().Elem()
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			seg := strconv.Itoa(i)
			if et.Kind() == reflect.Struct {
				if id := elemID(et, item); id != "" {
					seg = id
				}
			}
			e := s.Index(i)
			e.Set(newDefault(et, item).Elem())
			d.decode(item, e, joinPath(path, seg))
		}
		v.Set(s)
	case reflect.Array:
		if n.Kind != yaml.SequenceNode || len(n.Content) != v.Len() {
			d.fail(n, path, fmt.Sprintf("expected a list of %d values", v.Len()), nodeDesc(n), "")
			return
		}
		for i, item := range n.Content {
			d.decode(item, v.Index(i), joinPath(path, strconv.Itoa(i)))
		}
	case reflect.Map:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "expected a mapping", nodeDesc(n), "")
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		d.entries(n, path, "a key", true, func(k, val *yaml.Node) {
			e := reflect.New(v.Type().Elem()).Elem()
			if old := v.MapIndex(reflect.ValueOf(k.Value)); old.IsValid() {
				e.Set(old)
			}
			d.decode(val, e, joinPath(path, k.Value))
			v.SetMapIndex(reflect.ValueOf(k.Value), e)
		})
	case reflect.Interface:
		x, ok := d.plain(n, path)
		if ok {
			if x == nil {
				v.SetZero()
			} else {
				v.Set(reflect.ValueOf(x))
			}
		}
	default:
		d.scalar(n, v, path)
	}
}

// plain converts a node into plain Go values (nil, bool, int, float64,
// string, []any, map[string]any).
func (d *decoder) plain(n *yaml.Node, path string) (any, bool) {
	n = resolveAlias(n)
	if !d.step(n, path) {
		return nil, false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, true
		case "!!bool":
			b, err := strconv.ParseBool(strings.ToLower(n.Value))
			return b, err == nil
		case "!!int":
			if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
				return int(i), true
			}
			f, err := strconv.ParseFloat(n.Value, 64)
			return f, err == nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				d.fail(n, path, "expected a number", nodeDesc(n), "")
				return nil, false
			}
			return f, true
		default:
			return n.Value, true
		}
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		ok := true
		for i, c := range n.Content {
			x, o := d.plain(c, joinPath(path, strconv.Itoa(i)))
			ok = ok && o
			out = append(out, x)
		}
		return out, ok
	case yaml.MappingNode:
		out := map[string]any{}
		ok := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolveAlias(n.Content[i])
			if _, dup := out[k.Value]; dup {
				d.fail(k, joinPath(path, k.Value), "duplicate key", quote(k.Value), "")
				ok = false
				continue
			}
			x, o := d.plain(n.Content[i+1], joinPath(path, k.Value))
			ok = ok && o
			out[k.Value] = x
		}
		return out, ok
	}
	d.fail(n, path, "unsupported YAML value", "", "")
	return nil, false
}

func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	want := map[reflect.Kind]string{reflect.String: "a string", reflect.Bool: "true or false",
		reflect.Int: "an integer", reflect.Uint64: "a non-negative integer", reflect.Float64: "a number"}[v.Kind()]
	if want == "" {
		d.fail(n, path, fmt.Sprintf("internal: unsupported field kind %s", v.Kind()), "", "")
		return
	}
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.fail(n, path, "expected "+want, nodeDesc(n), "")
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Bool:
		if n.Tag != "!!bool" {
			d.fail(n, path, "expected "+want, nodeDesc(n), "")
			return
		}
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		v.SetBool(b)
	case reflect.Int, reflect.Uint64:
		f, ok := number(n)
		if !ok {
			d.fail(n, path, "expected "+want, nodeDesc(n), "")
			return
		}
		if f != math.Trunc(f) {
			d.fail(n, path, "expected "+want, nodeDesc(n), "")
			return
		}
		if v.Kind() == reflect.Uint64 {
			if f < 0 || f > 1<<63 {
				d.fail(n, path, "expected "+want, nodeDesc(n), "")
				return
			}
			u, err := strconv.ParseUint(n.Value, 0, 64)
			if err != nil {
				u = uint64(f)
			}
			v.SetUint(u)
			return
		}
		if math.Abs(f) > 1<<53 {
			d.fail(n, path, "integer out of range", nodeDesc(n), "")
			return
		}
		v.SetInt(int64(f))
	case reflect.Float64:
		f, ok := number(n)
		if !ok {
			d.fail(n, path, "expected "+want, nodeDesc(n), "")
			return
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			d.fail(n, path, "expected a finite number", nodeDesc(n), "")
			return
		}
		v.SetFloat(f)
	}
}

// number parses an !!int or !!float scalar.
func number(n *yaml.Node) (float64, bool) {
	switch n.Tag {
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return float64(i), true
		}
		if u, err := strconv.ParseUint(n.Value, 0, 64); err == nil {
			return float64(u), true
		}
		var f float64
		err := n.Decode(&f)
		return f, err == nil
	case "!!float":
		var f float64
		err := n.Decode(&f)
		return f, err == nil
	}
	return 0, false
}
