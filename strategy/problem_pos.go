package strategy

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LocateYAML returns a ProblemOptions.Locate for a scenario file's source:
// it maps a scenario path (optimize.decide.2.max) to the line and column of
// that value in the file, or of the deepest enclosing value written there
// (a default has no position of its own). Sequences are addressed by index
// or by an element's id. A file that does not parse locates nothing.
func LocateYAML(file string, data []byte) func(path string) (string, int, int, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return func(string) (string, int, int, bool) { return "", 0, 0, false }
	}
	root := doc.Content[0]
	return func(path string) (string, int, int, bool) {
		n := root
		line, col := 0, 0
		for _, seg := range strings.Split(path, ".") {
			next, key := child(n, seg)
			if next == nil {
				break
			}
			line, col = next.Line, next.Column
			if key != nil {
				line, col = key.Line, key.Column
			}
			n = next
		}
		if line == 0 {
			return "", 0, 0, false
		}
		return file, line, col, true
	}
}

func child(n *yaml.Node, seg string) (val, key *yaml.Node) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i+1], n.Content[i]
			}
		}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			if e.Kind != yaml.MappingNode {
				continue
			}
			for i := 0; i+1 < len(e.Content); i += 2 {
				if (e.Content[i].Value == "id" || e.Content[i].Value == "name") && e.Content[i+1].Value == seg {
					return e, nil
				}
			}
		}
		if k, err := strconv.Atoi(seg); err == nil && k >= 0 && k < len(n.Content) {
			return n.Content[k], nil
		}
	}
	return nil, nil
}
