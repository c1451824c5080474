package reports

import (
	"strings"
	"testing"
)

// Issue 17, failure 9: plot file names are unique and bounded.
func TestFileStemUniqueAndBounded(t *testing.T) {
	if a, b := fileStem("ab<cd", "x"), fileStem("ab>cd", "x"); a == b {
		t.Errorf("ab<cd and ab>cd share %q", a)
	}
	long := strings.Repeat("v", 249)
	if s := fileStem(long, "variant"); len(s) > maxStem+9 || s == fileStem(long+"w", "variant") {
		t.Errorf("long name: %q", s)
	}
	if s := fileStem("mint_manbo", "x"); s != "mint_manbo" {
		t.Errorf("a safe name changed: %q", s)
	}
	if a, b := fileStem("方案1", "variant"), fileStem("方案2", "variant"); a == b || !strings.HasPrefix(a, "variant_") {
		t.Errorf("CJK names: %q %q", a, b)
	}
}

// Issue 17, failure 8: CSV text cells and Markdown.
func TestTextCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+cmd": "'+cmd", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "'quoted": "''quoted",
		"-3.5": "-3.5", "+4": "+4", "-1e-3": "-1e-3", "plain": "plain", "": "",
	} {
		if got := TextCell(in); got != want {
			t.Errorf("TextCell(%q) = %q, want %q", in, got, want)
		}
		if back := RawCell(TextCell(in)); back != in {
			t.Errorf("RawCell(TextCell(%q)) = %q", in, back)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for _, s := range []string{"[click](javascript:alert(1))", "![x](http://evil/x.png)", "<img src=x onerror=alert(1)>", "a|b", "x`y", "**bold**", "&lt;"} {
		e := mdEscape(s)
		for _, bad := range []string{"](", "<img", "<", "`", "**", "&lt"} {
			if strings.Contains(strings.ReplaceAll(e, `\`, ""), bad) && !strings.Contains(e, `\`+bad[:1]) && !strings.Contains(e, `]\(`) {
				t.Errorf("mdEscape(%q) = %q keeps %q", s, e, bad)
			}
		}
		if strings.Contains(e, "](") || strings.Contains(e, "|") && !strings.Contains(e, `\|`) {
			t.Errorf("mdEscape(%q) = %q", s, e)
		}
	}
	for _, s := range []string{"a`b", "``x``", "`", "p|q"} {
		c := mdCode(s)
		fence := c[:strings.IndexFunc(c, func(r rune) bool { return r != '`' })]
		inner := strings.TrimSuffix(strings.TrimPrefix(c, fence), fence)
		if strings.Contains(inner, fence) || strings.Contains(strings.ReplaceAll(inner, `\|`, ""), "|") {
			t.Errorf("mdCode(%q) = %q: the span can be left", s, c)
		}
	}
}
