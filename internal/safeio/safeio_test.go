package safeio

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Issue 17, failure 3: /dev/zero, FIFOs and /dev/stdin are refused before
// anything is read; a file past its limit is refused without reading it all.
func TestReadFileRefusesSpecialAndLarge(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/zero", fifo, dir, "/dev/stdin"} {
		_, err := ReadFile(p, ScenarioLimit, "scenario file")
		if !errors.Is(err, ErrNotRegular) && !(p == "/dev/stdin" && err != nil) {
			t.Errorf("%s: %v, want ErrNotRegular", p, err)
		}
	}
	big := filepath.Join(dir, "big")
	f, _ := os.Create(big)
	f.Truncate(ScenarioLimit + 1) // sparse: no disk used
	f.Close()
	if _, err := ReadFile(big, ScenarioLimit, "scenario file"); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "16 MiB") {
		t.Errorf("big: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 10, "roster CSV"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	ok := filepath.Join(dir, "ok")
	os.WriteFile(ok, []byte("12345"), 0o644)
	if b, err := ReadFile(ok, 5, ""); err != nil || string(b) != "12345" {
		t.Errorf("ok: %q %v", b, err)
	}
	if _, err := ReadFile(ok, 4, ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit 4: %v", err)
	}
}

func TestStdinLimited(t *testing.T) {
	old := Stdin
	defer func() { Stdin = old }()
	Stdin = io.LimitReader(zeros{}, 1<<40) // `yes | startrend validate -`
	if _, err := ReadFile("-", 1<<20, "scenario file"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("endless stdin: %v", err)
	}
	Stdin = strings.NewReader("name: x\n")
	if b, err := ReadFile("-", 1<<20, "scenario file"); err != nil || string(b) != "name: x\n" {
		t.Fatalf("stdin: %q %v", b, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestLimitedReader(t *testing.T) {
	r := LimitedReader(bytes.NewReader(make([]byte, 100)), 99, "f", "checkpoint")
	if _, err := io.ReadAll(r); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("%v", err)
	}
	r = LimitedReader(bytes.NewReader(make([]byte, 100)), 100, "f", "checkpoint")
	if b, err := io.ReadAll(r); err != nil || len(b) != 100 {
		t.Fatalf("%d %v", len(b), err)
	}
}

// Open refuses what ReadFile refuses, without reading; LineLimited fails
// on the first line past its bound and passes shorter lines through.
func TestOpenAndLineLimited(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open("/dev/zero", 0, "run journal"); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "run journal /dev/zero") {
		t.Errorf("/dev/zero: %v", err)
	}
	big := filepath.Join(dir, "big")
	f, _ := os.Create(big)
	f.Truncate(StoreFileLimit + 1)
	f.Close()
	if _, err := Open(big, StoreFileLimit, "points journal"); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "256 MiB") || !strings.Contains(err.Error(), big) {
		t.Errorf("big: %v", err)
	}
	if f, err := Open(big, 0, "rows"); err != nil {
		t.Errorf("no limit: %v", err)
	} else {
		f.Close()
	}
	in := "ab\ncdef\n" + strings.Repeat("x", 10) + "\nyy\n"
	b, err := io.ReadAll(LineLimited(strings.NewReader(in), 4, "f.csv", "CSV"))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "CSV f.csv: a line longer than the 4 bytes limit") {
		t.Errorf("long line: %v", err)
	}
	if len(b) > 8 {
		t.Errorf("passed %q past the long line", b)
	}
	if b, err := io.ReadAll(LineLimited(strings.NewReader("ab\ncdef\nxy"), 4, "f", "")); err != nil || string(b) != "ab\ncdef\nxy" {
		t.Errorf("short lines: %q %v", b, err)
	}
	// /dev/zero through LineLimited: a bounded read, not an endless one.
	z, _ := os.Open("/dev/zero")
	defer z.Close()
	if _, err := io.ReadAll(LineLimited(z, 1<<20, "/dev/zero", "journal")); !errors.Is(err, ErrTooLarge) {
		t.Errorf("/dev/zero: %v", err)
	}
}
