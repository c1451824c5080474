// Package textsafe makes text from input files safe to print on a
// terminal or in a CI log:
//
//	Terminal(s) string       // control characters (ESC, CR, C1, bidi overrides, ...) shown as \xNN / \u escapes
//	Quote(s, max) string     // a Go-quoted value, cut to max runes with "..."
//	Writer(w) io.Writer      // a writer that applies Terminal to each write
//
// Messages that show a user's value use Quote; whole messages go through
// Terminal before they are printed.
package textsafe

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terminal returns s with every character a terminal would act on — C0
// controls but newline and tab, DEL, C1 controls, and the Unicode format
// characters that reorder or hide text (bidi overrides, zero-width joiners)
// — and every invalid UTF-8 byte written as an escape (\x1b, \u202e).
func Terminal(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r)
}

// Quote returns s as a Go string literal (every control character
// escaped), cut to at most max runes of s followed by "..." when longer.
func Quote(s string, max int) string {
	if max > 3 && utf8.RuneCountInString(s) > max {
		n := 0
		for i := range s {
			if n == max-3 {
				s = s[:i] + "..."
				break
			}
			n++
		}
	}
	q := strconv.Quote(s)
	// strconv.Quote keeps printable format characters (U+202E) as they are.
	return Terminal(q)
}

// Writer returns a writer that passes what is written to w through
// Terminal (writes are expected to be whole messages, as fmt.Fprintf's).
func Writer(w io.Writer) io.Writer { return termWriter{w} }

type termWriter struct{ w io.Writer }

func (t termWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, Terminal(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
