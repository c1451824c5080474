package textsafe

import (
	"strings"
	"testing"
)

func TestTerminal(t *testing.T) {
	for in, want := range map[string]string{
		"plain é 漢字\n\tok": "plain é 漢字\n\tok",
		"a\x1b[31mred":     `a\x1b[31mred`,
		"cr\rover":         `cr\x0dover`,
		"bidi\u202eevil":   `bidi\u202eevil`,
		"c1\u009bx":        `c1\u009bx`,
		"bad\xffutf8":      `bad\xffutf8`,
	} {
		if got := Terminal(in); got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := Quote("a\x1b]0;x\x07", 60); strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("Quote kept controls: %q", got)
	}
	long := strings.Repeat("é", 100)
	if got := Quote(long, 60); !strings.HasSuffix(got, `..."`) || strings.Count(got, "é") != 57 {
		t.Errorf("Quote(long) = %q", got)
	}
	if got := Quote("x\u202ey", 60); strings.Contains(got, "\u202e") {
		t.Errorf("Quote kept a bidi override: %q", got)
	}
}
