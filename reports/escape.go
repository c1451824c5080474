package reports

import (
	"strings"

	"github.com/startrend/startrend/internal/textsafe"
)

// Escaping of names and other text that comes from scenarios and run
// directories into the outputs users open elsewhere. report.md and
// compare.md (which CI posts as a job summary) show names through
// mdEscape (text) or mdCode (a code span): no name can open a link, an
// image, HTML, a code span or a table cell. CSV text cells go through
// TextCell; terminal messages through textsafe.Terminal.

// mdSpecial are the characters mdEscape always escapes with a backslash:
// HTML and autolinks (< >, & for entities), code spans (`), emphasis (* _
// ~), table cells (|) and the backslash itself. Links and images need "]("
// (or "][" for a reference), so mdEscape escapes the bracket or paren after
// a "]"; a name never starts a line, where reference definitions live.
const mdSpecial = "\\`*_~<>|&"

// mdEscape makes text safe anywhere in a Markdown line, table cells
// included: no link, image, HTML, code span, emphasis or table cell can be
// opened from it; line breaks become spaces and control characters are
// dropped.
func mdEscape(s string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			continue // dropped
		case r < 0x80 && strings.ContainsRune(mdSpecial, r),
			prev == ']' && (r == '(' || r == '['):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return textsafe.Terminal(b.String())
}

// mdCode renders s as a Markdown code span that s cannot leave: the fence
// is one backtick longer than the longest run of backticks in s, pipes are
// escaped for table cells, line breaks become spaces.
func mdCode(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// QuoteValue shows a value read from a file in a message: Go-quoted
// (control characters escaped) and cut to 60 characters.
func QuoteValue(s string) string { return textsafe.Quote(s, 60) }
