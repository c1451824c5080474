package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/startrend/startrend/internal/textsafe"
)

// Error is one problem in a scenario, at a position in a file (a scenario
// file, a roster CSV, or "--set" for a command-line override, where Line is
// the override's number and Col its column).
type Error struct {
	File    string // file name as given (or "--set")
	Line    int    // 1-based; 0 when unknown
	Col     int    // 1-based; 0 when unknown
	Path    string // field path (scenario) or column name (CSV)
	Msg     string // what is wrong
	Got     string // the offending value, when there is one
	Allowed string // what is allowed, when it can be said briefly
}

// Error formats the problem as FILE:LINE:COL: path: msg (got X, allowed Y),
// with every control character escaped (textsafe.Terminal): nothing from a
// file or a flag reaches a terminal raw.
func (e *Error) Error() string { return textsafe.Terminal(e.format()) }

func (e *Error) format() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	switch {
	case e.Got != "" && e.Allowed != "":
		fmt.Fprintf(&b, " (got %s, allowed %s)", e.Got, e.Allowed)
	case e.Got != "":
		fmt.Fprintf(&b, " (got %s)", e.Got)
	case e.Allowed != "":
		fmt.Fprintf(&b, " (allowed %s)", e.Allowed)
	}
	return b.String()
}

// Errors is every problem found in a scenario, sorted by file, line and
// column. Load returns it (as error) when the scenario is invalid.
type Errors []*Error

// Error lists the problems, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Msg, b.Msg))
	})
}

// dedup removes identical consecutive errors (after sorting).
func (es Errors) dedup() Errors {
	out := es[:0]
	for i, e := range es {
		if i > 0 && *e == *es[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// Pos is a position in a file.
type Pos struct {
	File      string
	Line, Col int
}

// MaxErrors bounds the problems Load collects; past it they are counted,
// and the last Error of the list says how many more there were.
const MaxErrors = 1000

// errs collects errors.
type errs struct {
	list    Errors
	dropped int
}

func (c *errs) add(p Pos, path, msg, got, allowed string) {
	if len(c.list) >= MaxErrors {
		c.dropped++
		return
	}
	c.list = append(c.list, &Error{File: p.File, Line: p.Line, Col: p.Col, Path: path, Msg: msg, Got: got, Allowed: allowed})
}

// full reports whether no more problems are collected (callers skip costly
// work, such as suggestions, for problems that would be dropped).
func (c *errs) full() bool { return len(c.list) >= MaxErrors }

func (c *errs) err() error {
	if len(c.list) == 0 {
		return nil
	}
	c.list.sort()
	out := c.list.dedup()
	if c.dropped > 0 {
		out = append(out, &Error{File: out[len(out)-1].File, Msg: fmt.Sprintf("%d more problems not listed (stopped after %d)", c.dropped, MaxErrors)})
	}
	return out
}

// quote shows a user value in a message: Go-quoted, control characters
// escaped, cut to 60 characters.
func quote(s string) string { return textsafe.Quote(s, 60) }

// editDistance is the Levenshtein distance between a and b, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// DidYouMean returns ` (did you mean "x"?)` for the closest candidate within a
// distance of about a third of the word (or that the word truncates), or "".
// The CLI uses it for unknown commands too.
func DidYouMean(word string, candidates []string) string {
	best, bestD := "", max(2, len([]rune(word))/3)+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(word), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" && len([]rune(word)) >= 3 {
		// A truncated name: "horizon" for "horizon_days".
		for _, c := range candidates {
			if strings.HasPrefix(c, word) || strings.HasPrefix(word, c) && len([]rune(c)) >= 3 {
				return fmt.Sprintf(" (did you mean %q?)", c)
			}
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
