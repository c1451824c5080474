package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock advances one second per call.
func fakeClock() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func newTest(tty bool, width int) (*Bar, *bytes.Buffer) {
	var buf bytes.Buffer
	b := New(&buf, "simulating")
	b.Now = fakeClock()
	b.start = b.Now()
	b.Width = func() int { return width }
	b.SetTerminal(tty)
	return b, &buf
}

// Every redraw on a terminal fits the width, so it never wraps and leaves
// a stale line (issue: in 80 columns each redraw left one).
func TestTerminalLineFitsWidth(t *testing.T) {
	for _, w := range []int{20, 40, 80, 120} {
		b, buf := newTest(true, w)
		b.SetLabel("best 12,345,678 GMV, racing 3 candidates over 20 replications, 美妆品牌")
		for i := 0; i <= 100; i += 7 {
			b.Update(i, 100)
		}
		b.Finish()
		for _, frame := range strings.Split(buf.String(), "\r") {
			frame = strings.TrimPrefix(strings.TrimSuffix(frame, "\n"), "\033[K")
			if frame == "" {
				continue
			}
			if got := runeLen(frame); got > w-1 {
				t.Errorf("width %d: frame of %d columns: %q", w, got, frame)
			}
		}
	}
}

// Finish ends at 100% on a terminal and in a log, whatever was last reported.
func TestFinishReaches100(t *testing.T) {
	for _, tty := range []bool{true, false} {
		b, buf := newTest(tty, 80)
		b.Update(3, 7)
		b.Finish()
		b.Finish()
		out := buf.String()
		if !strings.Contains(out, "100%") {
			t.Errorf("tty=%v: no 100%% in %q", tty, out)
		}
		if strings.Count(out, "100%") != 1 {
			t.Errorf("tty=%v: 100%% printed %d times: %q", tty, strings.Count(out, "100%"), out)
		}
		if !strings.HasSuffix(out, "\n") {
			t.Errorf("tty=%v: line not ended: %q", tty, out)
		}
	}
}

// In a log: one plain line per 10% step, no control characters.
func TestLogLinesAreQuiet(t *testing.T) {
	b, buf := newTest(false, 80)
	b.SetLabel("evil \033[2Jname")
	for i := 0; i <= 1000; i++ {
		b.Update(i, 1000)
	}
	b.Finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 11 {
		t.Errorf("got %d lines, want 11 (0%%..100%%):\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\033") {
			t.Errorf("control character in log line %q", l)
		}
	}
	if !strings.HasPrefix(lines[5], "simulating: 50% (500/1000)") {
		t.Errorf("line 5 = %q", lines[5])
	}
}

// The ETA is the elapsed time scaled by the work left.
func TestETA(t *testing.T) {
	b, _ := newTest(false, 80)
	// start at t0; each Now() call adds 1s. After Update the eta is computed
	// from elapsed = (calls so far) seconds.
	b.done, b.total = 25, 100
	got := b.eta() // elapsed 1s for 25 units -> 3s for 75 left
	if got != ", eta 3s" {
		t.Errorf("eta = %q, want \", eta 3s\"", got)
	}
}

func TestQuietWritesNothing(t *testing.T) {
	b, buf := newTest(true, 80)
	b.Quiet(true)
	b.Update(5, 10)
	b.Finish()
	if buf.Len() != 0 {
		t.Errorf("quiet bar wrote %q", buf.String())
	}
}

func TestCutCountsWideCharacters(t *testing.T) {
	if got := runeLen("美妆ab"); got != 6 {
		t.Errorf("runeLen = %d, want 6", got)
	}
	if got := cut("美妆品牌", 5); runeLen(got) > 5 || !strings.HasSuffix(got, "…") {
		t.Errorf("cut = %q (%d columns)", got, runeLen(got))
	}
}
