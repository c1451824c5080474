package scenarios

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// EmitOptions say how Emit writes a derived scenario.
type EmitOptions struct {
	// BaseFile is the scenario file the derived one extends (as given on
	// the command line); OutFile is where the emitted file will live (the
	// extends path is written relative to it).
	BaseFile, OutFile string
	// Header is written first, as comment lines (without the "# ").
	Header []string
	// Money reports whether the field at a path (keys joined by dots,
	// list items by their id) holds money; nil: the built-in rule
	// (anything under a budget, cpm, price, fee, creator_fees, unit_cost).
	Money func(path string) bool
}

// Emitted is a scenario written by Emit.
type Emitted struct {
	// Data is the file's content: extends: BaseFile plus the fields
	// where the derived scenario differs from it (a list that differs is
	// written whole: extends replaces lists), or, when that does not load
	// to the same scenario, the whole scenario.
	Data []byte
	// Scenario is what Data loads to, and Hash its hash (the one a run of
	// the file reports; the header quotes it).
	Scenario *Scenario
	Hash     string
	// Changed lists the paths of the fields that differ from the base.
	Changed []string
	// Short is false when Data is the whole scenario.
	Short bool
}

// Emit writes derived as a scenario file that extends opt.BaseFile:
// `extends:` plus only the fields where it differs from the scenario the
// base file loads to. Changed numbers are rounded — money to the yuan from
// 1,000 up and to 4 significant digits below, any other real number to 4
// significant digits — so the file reads as written by hand; Emitted
// holds the scenario the file loads to (the rounded values) and its hash.
func Emit(derived *Scenario, opt EmitOptions) (*Emitted, error) {
	base, err := Load(opt.BaseFile)
	if err != nil {
		return nil, fmt.Errorf("emit: the base scenario: %w", err)
	}
	money := opt.Money
	if money == nil {
		money = MoneyPath
	}
	bt, err := nodeOf(base)
	if err != nil {
		return nil, err
	}
	dt, err := nodeOf(derived)
	if err != nil {
		return nil, err
	}
	e := &emitter{money: money}
	e.round(bt, dt, "")
	full, err := encodeNode(dt)
	if err != nil {
		return nil, err
	}
	want, err := LoadBytes(opt.OutFile, full)
	if err != nil {
		return nil, fmt.Errorf("emit: the derived scenario does not validate: %w", err)
	}
	wantHash := Hash(want)
	diff := e.diff(bt, dt, "")
	out := &Emitted{Changed: e.changed}
	rel := opt.BaseFile
	if a, err := filepath.Abs(opt.BaseFile); err == nil {
		if o, err := filepath.Abs(opt.OutFile); err == nil {
			if r, err := filepath.Rel(filepath.Dir(o), a); err == nil {
				rel = r
			}
		}
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, "extends: %s\n", strconv.Quote(filepath.ToSlash(rel)))
	if diff != nil && len(diff.Content) > 0 {
		b, err := encodeNode(diff)
		if err != nil {
			return nil, err
		}
		body.Write(b)
	}
	if got, err := LoadBytes(opt.OutFile, body.Bytes()); err == nil && Hash(got) == wantHash {
		out.Short, out.Scenario = true, got
	} else {
		body.Reset()
		body.Write(full)
		out.Scenario = want
		opt.Header = append(opt.Header, "(the differences cannot be written over extends, so the scenario is written in full)")
	}
	out.Hash = wantHash
	var b bytes.Buffer
	for _, h := range opt.Header {
		fmt.Fprintf(&b, "# %s\n", strings.ReplaceAll(h, "\n", " "))
	}
	fmt.Fprintf(&b, "# scenario hash %s (what a run of this file reports)\n", wantHash)
	b.Write(body.Bytes())
	out.Data = b.Bytes()
	return out, nil
}

// MoneyPath is Emit's built-in rule for fields holding money.
func MoneyPath(path string) bool {
	segs := strings.Split(path, ".")
	for _, s := range segs[:max(0, len(segs)-1)] {
		if s == "budget" {
			return true
		}
	}
	switch segs[len(segs)-1] {
	case "cpm", "price", "fee", "creator_fees", "unit_cost", "total_at_most", "total_exactly":
		return true
	}
	return false
}

// RoundEmitted rounds a value as Emit writes it: money to the yuan from
// 1,000 up, anything else (and smaller money) to 4 significant digits.
func RoundEmitted(x float64, money bool) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	if money && math.Abs(x) >= 1000 {
		return math.Round(x)
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	return v
}

func nodeOf(sc *Scenario) (*yaml.Node, error) {
	data, err := Marshal(sc)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("emit: unexpected YAML document")
	}
	return doc.Content[0], nil
}

func encodeNode(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type emitter struct {
	money   func(string) bool
	changed []string
}

// itemName is a list item's key in paths (its id, else its name), or its
// index.
func itemName(n *yaml.Node, i int) string {
	if n.Kind == yaml.MappingNode {
		for _, key := range []string{"id", "name"} {
			if v := mapGet(n, key); v != nil && v.Kind == yaml.ScalarNode {
				return v.Value
			}
		}
	}
	return strconv.Itoa(i)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func mapGet(m *yaml.Node, key string) *yaml.Node {
	for k := 0; k+1 < len(m.Content); k += 2 {
		if m.Content[k].Value == key {
			return m.Content[k+1]
		}
	}
	return nil
}

// round rounds, in d, every real number that differs from its counterpart
// in b (mappings by key, lists by item name or position).
func (e *emitter) round(b, d *yaml.Node, path string) {
	switch d.Kind {
	case yaml.MappingNode:
		for k := 0; k+1 < len(d.Content); k += 2 {
			var bv *yaml.Node
			if b != nil && b.Kind == yaml.MappingNode {
				bv = mapGet(b, d.Content[k].Value)
			}
			e.round(bv, d.Content[k+1], join(path, d.Content[k].Value))
		}
	case yaml.SequenceNode:
		for i, it := range d.Content {
			var bv *yaml.Node
			if b != nil && b.Kind == yaml.SequenceNode {
				name := itemName(it, i)
				for j, c := range b.Content {
					if itemName(c, j) == name {
						bv = c
						break
					}
				}
			}
			e.round(bv, it, join(path, itemName(it, i)))
		}
	case yaml.ScalarNode:
		if d.Tag != "!!float" || (b != nil && b.Kind == yaml.ScalarNode && b.Value == d.Value) {
			return
		}
		x, err := strconv.ParseFloat(d.Value, 64)
		if err != nil {
			return
		}
		d.Value = strconv.FormatFloat(RoundEmitted(x, e.money(path)), 'f', -1, 64)
		if !strings.ContainsAny(d.Value, ".eE") {
			d.Tag = "!!int" // a whole number reads back into a real field
		}
	}
}

// diff returns the part of d that differs from b (nil: none): mappings key
// by key, anything else whole; a key b has and d lacks is written null.
func (e *emitter) diff(b, d *yaml.Node, path string) *yaml.Node {
	if b == nil || b.Kind != d.Kind || d.Kind != yaml.MappingNode {
		if b != nil && sameNode(b, d) {
			return nil
		}
		e.changed = append(e.changed, path)
		return d
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for k := 0; k+1 < len(d.Content); k += 2 {
		key := d.Content[k].Value
		if c := e.diff(mapGet(b, key), d.Content[k+1], join(path, key)); c != nil {
			out.Content = append(out.Content, d.Content[k], c)
		}
	}
	for k := 0; k+1 < len(b.Content); k += 2 {
		key := b.Content[k].Value
		if mapGet(d, key) == nil {
			e.changed = append(e.changed, join(path, key))
			out.Content = append(out.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"})
		}
	}
	if len(out.Content) == 0 {
		return nil
	}
	return out
}

func sameNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.ScalarNode {
		return a.Value == b.Value && a.Tag == b.Tag
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
