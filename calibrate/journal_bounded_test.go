package calibrate

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/startrend/startrend/internal/safeio"
)

// newlines is an endless stream of blank lines (of 4 KiB of spaces each).
type newlines struct{}

func (newlines) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
		if i%4096 == 4095 {
			p[i] = '\n'
		}
	}
	return len(p), nil
}

// Issue 17 (bounded inputs): a calibration journal is read with a limit —
// a line-less stream (/dev/zero) stops at the line limit, an endless one of
// short lines at the file limit, each with a message naming the file.
func TestJournalLoadIsBounded(t *testing.T) {
	j := NewRunJournal(toySim, 1, nil)
	err := j.Load("zero.journal", io.LimitReader(strings.NewReader(strings.Repeat("x", 3<<20)), 3<<20))
	if err == nil || !strings.Contains(err.Error(), "zero.journal:1: line longer than") {
		t.Errorf("a 3 MiB line: %v", err)
	}
	err = j.Load("endless.journal", newlines{})
	if !errors.Is(err, safeio.ErrTooLarge) || !strings.Contains(err.Error(), "calibration journal endless.journal") || !strings.Contains(err.Error(), "256 MiB") {
		t.Errorf("an endless journal: %v", err)
	}
}
