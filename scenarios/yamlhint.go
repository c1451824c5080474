package scenarios

import (
	"bytes"
	"reflect"
	"strings"
)

// syntaxHint improves a YAML syntax error for people: yaml.v3 reports many
// errors at the start of the enclosing block and in parser terms ("did not
// find expected '-' indicator"). syntaxHint looks at the text itself and,
// when it finds the likely cause — a tab used for indentation, or a line
// whose indentation lines up with no enclosing block — returns that line,
// its column and a hint. ok is false when it finds nothing better.
func syntaxHint(data []byte, reported int) (line, col int, hint string, ok bool) {
	lines := bytes.Split(data, []byte("\n"))
	// A tab in the indentation is the commonest cause, wherever reported.
	for i, l := range lines {
		indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
		if j := bytes.IndexByte(indent, '\t'); j >= 0 && len(bytes.TrimSpace(l)) > 0 {
			return i + 1, j + 1, "a tab indents this line: YAML indents with spaces only", true
		}
	}
	// Indentation: a line must be deeper than the line before it (a child)
	// or at the indentation of an enclosing block (a sibling of it).
	var stack []int
	for i, l := range lines {
		t := strings.TrimRight(string(l), " \r")
		body := strings.TrimLeft(t, " ")
		if body == "" || strings.HasPrefix(body, "#") || strings.HasPrefix(body, "---") {
			continue
		}
		ind := len(t) - len(body)
		for len(stack) > 0 && stack[len(stack)-1] > ind {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1] < ind && i+1 > 1 && popped(lines, i, ind) {
			return i + 1, ind + 1, "this line's indentation lines up with no enclosing block: indent it like its siblings", true
		}
		if len(stack) == 0 || stack[len(stack)-1] < ind {
			stack = append(stack, ind)
		}
		// The content of a sequence item ("- key: v") is a block at the
		// column after "- ".
		for strings.HasPrefix(body, "- ") {
			body = strings.TrimLeft(body[2:], " ")
			ind = len(t) - len(body)
			if body != "" && stack[len(stack)-1] < ind {
				stack = append(stack, ind)
			}
		}
	}
	return 0, 0, "", false
}

// popped reports whether line i (indentation ind) came back out of a
// deeper block to a column between two enclosing ones: the previous
// non-blank line is deeper than ind.
func popped(lines [][]byte, i, ind int) bool {
	for j := i - 1; j >= 0; j-- {
		t := strings.TrimRight(string(lines[j]), " \r")
		body := strings.TrimLeft(t, " ")
		if body == "" || strings.HasPrefix(body, "#") {
			continue
		}
		return len(t)-len(body) > ind
	}
	return false
}

// misspeltMissing reports whether a field an unknown key was probably
// meant for is still unset (no --set gave it either).
func misspeltMissing(sc *Scenario, misspelled map[string]bool) bool {
	for p := range misspelled {
		v, err := Get(sc, p)
		if err != nil {
			continue
		}
		if v == nil || reflect.ValueOf(v).IsZero() {
			return true
		}
	}
	return false
}
