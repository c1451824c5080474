package scenarios

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/startrend/startrend/internal/safeio"
)

// library holds the scenario library (scenarios/*.yaml); default.yaml is
// what `startrend run` runs without a file.
//
//go:embed *.yaml
var library embed.FS

// Library returns the names of the embedded library scenarios
// ("default.yaml", ...), sorted.
func Library() []string {
	entries, _ := fs.ReadDir(library, ".")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// LoadLibrary loads an embedded library scenario by file name (with or
// without ".yaml"), applying sets (PATH=VALUE) as Load does.
func LoadLibrary(name string, sets ...string) (*Scenario, error) {
	if !strings.HasSuffix(name, ".yaml") {
		name += ".yaml"
	}
	l := &loader{read: func(p string, _ int64, _ string) ([]byte, error) {
		return fs.ReadFile(library, path.Clean(filepath.ToSlash(p)))
	}}
	return l.load(name, nil, sets)
}

// Default loads the embedded default scenario (default.yaml).
func Default(sets ...string) (*Scenario, error) {
	return LoadLibrary("default.yaml", sets...)
}

// Load reads the scenario file at path, resolves extends (recursively;
// relative to each file), decodes it strictly, applies the --set overrides
// (each "PATH=VALUE", VALUE a YAML scalar or flow value such as 3, abc,
// [a, b] or {k: 1}), fills in defaults, reads the roster CSV and validates
// the result. On failure the error is an Errors listing every problem.
//
// Every file is read with a size limit (safeio.ScenarioLimit for the
// scenario and each file it extends, safeio.RosterLimit for the roster);
// files that are not regular files are refused, and path "-" reads the
// scenario from standard input. A file that is not what it is used as (a
// scenario, a roster CSV) is reported by name and position, its content
// never quoted.
func Load(path string, sets ...string) (*Scenario, error) {
	l := &loader{read: readInput, stdin: true}
	return l.load(path, nil, sets)
}

// readInput reads an input file with its size limit.
func readInput(name string, limit int64, what string) ([]byte, error) {
	return safeio.ReadRegular(name, limit, what)
}

// LoadBytes is Load for a scenario already in memory; filename names it in
// messages and anchors relative paths (extends, roster).
func LoadBytes(filename string, data []byte, sets ...string) (*Scenario, error) {
	l := &loader{read: readInput}
	return l.load(filename, data, sets)
}

type loader struct {
	read     func(name string, limit int64, what string) ([]byte, error)
	stdin    bool // the top file may be "-" (standard input)
	c        errs
	nodeFile map[*yaml.Node]string
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

var parserErrorContexts = []string{"expected key", "expected node content", "expected ',' or ']'",
	"expected ',' or '}'", "expected '-' indicator", "expected <document start>"}

// parse reads and parses one file into its root mapping node (nil on
// error, reported).
func (l *loader) parse(name string, data []byte, from Pos) *yaml.Node {
	if data == nil {
		var err error
		if l.stdin && name == "-" && from.File == "" {
			data, err = safeio.ReadFile("-", safeio.ScenarioLimit, "scenario")
		} else {
			data, err = l.read(name, safeio.ScenarioLimit, "scenario file")
		}
		if err != nil {
			msg := "cannot read file"
			var se *safeio.Error
			switch {
			case errors.Is(err, fs.ErrNotExist):
				msg = "file not found"
			case errors.As(err, &se):
				msg = se.Msg
			}
			if from.File != "" {
				l.c.add(from, "extends", msg, quote(name), "")
			} else {
				l.c.add(Pos{File: name}, "", msg, "", "")
			}
			return nil
		}
	}
	// A file reached by extends that is not a scenario is reported at the
	// extends, its content never quoted.
	notScenario := func(why string) {
		if from.File != "" {
			l.c.add(from, "extends", "extended file "+quote(name)+" is not a scenario file ("+why+")", "", "a YAML mapping of scenario fields")
		} else {
			l.c.add(Pos{File: name, Line: 1, Col: 1}, "", "not a scenario file ("+why+")", "", "a YAML mapping of scenario fields")
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		l.c.add(Pos{File: name, Line: 1, Col: 1}, "", "empty file", "", "a scenario mapping with at least name, horizon_days, population and merchants")
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err == io.EOF {
		l.c.add(Pos{File: name, Line: 1, Col: 1}, "", "no YAML document: the file holds only comments or blank lines", "", "a scenario mapping with at least name, horizon_days, population and merchants")
		return nil
	} else if err != nil {
		if from.File != "" {
			notScenario("not valid YAML")
			return nil
		}
		line := 1
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			// yaml.v3 reports parser (not scanner) errors at the 0-based
			// line of their context mark.
			for _, ctx := range parserErrorContexts {
				if strings.Contains(msg, ctx) {
					line++
					break
				}
			}
			msg = strings.TrimSpace(strings.TrimPrefix(msg[strings.Index(msg, m[0])+len(m[0]):], ":"))
		}
		col := 1
		if hl, hc, hint, ok := syntaxHint(data, line); ok {
			line, col, msg = hl, hc, hint+" (the YAML parser says: "+msg+")"
		}
		l.c.add(Pos{File: name, Line: line, Col: col}, "", "YAML syntax error: "+msg, "", "")
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.c.add(Pos{File: name, Line: extra.Line, Col: extra.Column}, "", "more than one YAML document", "", "one scenario per file")
	}
	if len(doc.Content) == 0 {
		l.c.add(Pos{File: name, Line: 1, Col: 1}, "", "empty file", "", "")
		return nil
	}
	root := resolveAlias(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		what := "a list"
		if root.Kind == yaml.ScalarNode {
			what = "a single value"
		}
		notScenario("its top level is " + what + ", not a mapping")
		return nil
	}
	if !hasScenarioKey(root) {
		notScenario("none of its top-level keys is a scenario field")
		return nil
	}
	if n := countNodes(root, maxNodes+1); n > maxNodes {
		l.c.add(Pos{File: name, Line: 1, Col: 1}, "", fmt.Sprintf("more than %d YAML nodes", maxNodes), "", "a scenario of at most that size")
		return nil
	}
	l.mark(root, name, "")
	return root
}

// maxNodes bounds the YAML nodes of one scenario file.
const maxNodes = 2_000_000

// countNodes counts the nodes under n, stopping at limit.
func countNodes(n *yaml.Node, limit int) int {
	count := 0
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if count >= limit {
			return
		}
		count++
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return count
}

// hasScenarioKey reports whether a mapping has at least one top-level key
// of the scenario language: a file without any is not a scenario (a file
// named by mistake), and is reported without quoting it.
func hasScenarioKey(root *yaml.Node) bool {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode {
			if _, ok := fieldByName(reflect.TypeOf(Scenario{}), k.Value); ok {
				return true
			}
		}
	}
	return false
}

// mark records the file of every node and reports duplicate keys.
func (l *loader) mark(n *yaml.Node, file, path string) {
	if _, done := l.nodeFile[n]; done {
		return
	}
	l.nodeFile[n] = file
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			l.nodeFile[k] = file
			if seen[k.Value] {
				l.c.add(Pos{File: file, Line: k.Line, Col: k.Column}, joinPath(path, k.Value), "duplicate key", quote(k.Value), "")
			}
			seen[k.Value] = true
			l.mark(n.Content[i+1], file, joinPath(path, k.Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			l.mark(c, file, joinPath(path, strconv.Itoa(i)))
		}
	}
}

// resolve parses name and merges it over its extends chain.
func (l *loader) resolve(name string, data []byte, from Pos, stack []string) *yaml.Node {
	root := l.parse(name, data, from)
	if root == nil {
		return nil
	}
	var ext *yaml.Node
	var keep []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "extends" {
			ext = root.Content[i+1]
			continue
		}
		keep = append(keep, root.Content[i], root.Content[i+1])
	}
	if ext == nil {
		return root
	}
	p := Pos{File: name, Line: ext.Line, Col: ext.Column}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: root.Line, Column: root.Column, Content: keep}
	l.nodeFile[out] = name
	if ext.Kind != yaml.ScalarNode || ext.Value == "" {
		// Reported here only: extends is not decoded again.
		l.c.add(p, "extends", "expected a file name", nodeDesc(ext), "")
		return out
	}
	base := resolveRel(name, ext.Value)
	clean := filepath.Clean(base)
	if slices.Contains(stack, clean) {
		l.c.add(p, "extends", "extends cycle: "+strings.Join(append(stack, clean), " → "), quote(ext.Value), "")
		return nil
	}
	b := l.resolve(base, nil, p, append(stack, clean))
	if b == nil {
		return out
	}
	return mergeNodes(b, out, l.nodeFile)
}

// mergeNodes overlays over onto base: mappings merge key by key, anything
// else (lists included) is replaced whole.
func mergeNodes(base, over *yaml.Node, files map[*yaml.Node]string) *yaml.Node {
	base, over = resolveAlias(base), resolveAlias(over)
	if base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: over.Line, Column: over.Column}
	files[out] = files[over]
	idx := map[string]int{}
	for i := 0; i+1 < len(base.Content); i += 2 {
		idx[base.Content[i].Value] = len(out.Content)
		out.Content = append(out.Content, base.Content[i], base.Content[i+1])
	}
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		if j, ok := idx[k.Value]; ok {
			out.Content[j] = k
			out.Content[j+1] = mergeNodes(out.Content[j+1], v, files)
			continue
		}
		out.Content = append(out.Content, k, v)
	}
	return out
}

func resolveRel(file, rel string) string {
	if rel == "" || filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(filepath.Dir(file), rel)
}

func (l *loader) load(name string, data []byte, sets []string) (*Scenario, error) {
	l.nodeFile = map[*yaml.Node]string{}
	root := l.resolve(name, data, Pos{}, []string{filepath.Clean(name)})
	if root == nil {
		return nil, l.c.err()
	}
	sc := defaultScenario()
	sc.file = name
	d := &decoder{errs: &l.c, nodeFile: l.nodeFile, file: name, pos: map[string]Pos{}}
	d.decode(root, reflect.ValueOf(sc).Elem(), "")
	sc.pos = d.pos
	fillDerived(sc)
	decodeErrs := len(l.c.list)

	for i, s := range sets {
		p, val, ok := strings.Cut(s, "=")
		at := Pos{File: "--set", Line: i + 1, Col: len(p) + 2}
		if !ok || strings.TrimSpace(p) == "" {
			l.c.add(Pos{File: "--set", Line: i + 1, Col: 1}, "", "expected PATH=VALUE", quote(s), "")
			continue
		}
		p = strings.TrimSpace(p)
		var n yaml.Node
		dec := yaml.NewDecoder(strings.NewReader(val))
		if err := dec.Decode(&n); err != nil && err != io.EOF {
			l.c.add(at, p, "bad value: "+strings.TrimPrefix(err.Error(), "yaml: "), quote(val), "")
			continue
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); err != io.EOF {
			l.c.add(at, p, "bad value: more than one YAML document", quote(val), "one YAML value (quote a value holding ---)")
			continue
		}
		vn := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
		if len(n.Content) > 0 {
			vn = n.Content[0]
		}
		if err := setAt(sc, p, vn, at); err != nil {
			l.c.addErr(at, p, err)
		}
	}
	fillDerived(sc)

	if sc.Creators.Roster != "" {
		from := sc.posFor("creators.roster").File
		if from == "--set" || from == "" {
			from = name
		}
		sc.rosterFile = resolveRel(from, sc.Creators.Roster)
		l.loadRoster(sc)
	}

	if misspeltMissing(sc, d.misspelled) {
		// A required field was probably misspelled: its own message says
		// so, and every check that needs the field would only cascade.
	} else if err := Validate(sc); err != nil && decodeErrs == 0 {
		l.c.list = append(l.c.list, err.(Errors)...)
	} else if err != nil {
		// Drop consequences of fields that failed to decode.
		bad := map[string]bool{}
		for _, e := range l.c.list[:decodeErrs] {
			bad[e.Path] = true
		}
		for _, e := range err.(Errors) {
			if !bad[e.Path] {
				l.c.list = append(l.c.list, e)
			}
		}
	}
	if err := l.c.err(); err != nil {
		return nil, err
	}
	return sc, nil
}

// fillDerived sets defaults that depend on other fields: matrix entry ids;
// and drops the affinities of default creator types to consumer groups the
// scenario does not have (affinity keys the user wrote are kept, and
// checked).
func fillDerived(sc *Scenario) {
	groups := map[string]bool{}
	for _, g := range sc.Population.Groups {
		groups[g.ID] = true
	}
	for _, t := range sc.CreatorTypes {
		for k := range t.Affinity {
			if groups[k] {
				continue
			}
			if _, written := sc.pos["creator_types."+t.ID+".affinity."+k]; !written {
				delete(t.Affinity, k)
			}
		}
	}
	for mi := range sc.Merchants {
		m := &sc.Merchants[mi]
		for i := range m.Strategy.Matrix {
			e := &m.Strategy.Matrix[i]
			if e.ID != "" {
				continue
			}
			e.ID = e.Stage + "-" + e.Type + "-" + e.Tier + "-" + e.Format
			// Positions recorded under the index move to the id.
			old := "merchants." + m.ID + ".strategy.matrix." + strconv.Itoa(i)
			for p, pos := range sc.pos {
				if p == old || strings.HasPrefix(p, old+".") {
					sc.pos["merchants."+m.ID+".strategy.matrix."+e.ID+p[len(old):]] = pos
				}
			}
		}
	}
}

// Marshal returns the resolved scenario as canonical YAML: every field,
// defaults filled in, no extends, in the order of the types, map keys
// sorted. Identical scenarios marshal to identical bytes.
func Marshal(sc *Scenario) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	c := *sc
	c.Extends = ""
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Hash is the scenario's identity: the hex SHA-256 of Marshal's output
// followed by the content of the roster CSV, if any.
func Hash(sc *Scenario) string {
	data, err := Marshal(sc)
	if err != nil {
		return ""
	}
	h := sha256.New()
	h.Write(data)
	if len(sc.rosterData) > 0 {
		h.Write([]byte("\x00roster\x00"))
		h.Write(sc.rosterData)
	}
	return hex.EncodeToString(h.Sum(nil))
}
