package scenarios

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// YAML syntax errors point at the offending line with a hint (issue: a
// mis-indented line 6 was reported at 3:1 as "did not find expected '-'
// indicator"; a tab as "found character that cannot start any token").
func TestSyntaxErrorsPointAtTheCause(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"tab", "name: x\nhorizon_days: 30\npopulation:\n\tusers: 5\n", "t.yaml:4:1: YAML syntax error: a tab indents this line"},
		{"indent", "name: x\nmerchants:\n  - id: a\n    products:\n     - id: p\n   price: 3\n", "t.yaml:6:4: YAML syntax error: this line's indentation lines up with no enclosing block"},
	}
	for _, c := range cases {
		_, err := LoadBytes("t.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		if err != nil && strings.Count(err.Error(), "YAML syntax error") != 1 {
			t.Errorf("%s: one mistake, one message: %v", c.name, err)
		}
	}
}

// A valid file's deeper block scalars and sequences never trigger a hint.
func TestSyntaxHintQuietOnValidShapes(t *testing.T) {
	ok := "a: >-\n  long text\n    deeper\nb:\n  - x: 1\n    y: 2\n  - z: 3\nc: 1\n"
	if l, _, h, found := syntaxHint([]byte(ok), 1); found {
		t.Errorf("hint on a valid file: line %d %q", l, h)
	}
}

// One misspelled required key is one message (issue: `horizon_day` gave
// four: the unknown key, horizon_days missing, and two checks against a
// horizon of 0).
func TestMisspelledKeyOneMessage(t *testing.T) {
	data, err := os.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "\nhorizon_days:", "\nhorizon_day:", 1)
	_, err = LoadBytes("d.yaml", []byte(bad))
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || !strings.Contains(es[0].Error(), `unknown field "horizon_day" (did you mean "horizon_days"?)`) {
		t.Errorf("want one message about horizon_day, got %v", err)
	}
}
