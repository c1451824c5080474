// Package safeio reads input files with a size limit, so that no input —
// /dev/zero, a FIFO, a 20 GB file given by mistake — can take the memory of
// the machine:
//
//	ReadFile(path, limit, what) ([]byte, error) // a regular file (or "-": stdin) of at most limit bytes
//	ReadRegular(path, limit, what)               // the same without stdin
//	LimitedReader(r, limit, what)                // a reader that fails past limit
//	Open(path, limit, what) (*os.File, error)    // a regular file of at most limit bytes, to stream
//	LineLimited(r, max, path, what)              // a reader that fails on a line longer than max
//
// Non-regular files (devices, FIFOs, sockets, directories, /dev/stdin) are
// refused before anything is read; "-" reads standard input with the same
// limit. The limits of startrend's inputs are the constants below. Errors
// are *Error, naming the file and what it was read as, and wrap
// fs.ErrNotExist, ErrTooLarge or ErrNotRegular.
package safeio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Size limits of startrend's inputs.
const (
	ScenarioLimit   = 16 << 20  // a scenario file, and each file it extends
	RosterLimit     = 256 << 20 // a roster CSV (200,000 creators are about 20 MB)
	FontLimit       = 64 << 20  // a TTF/OTF/TTC font
	CheckpointLimit = 256 << 20 // an optimisation checkpoint
	RunFileLimit    = 256 << 20 // each file of a run directory read back (compare, reports)
	// StoreFileLimit bounds the files of a run store (sweep, sensitivity,
	// merge) that are read whole or held in memory: store.json,
	// points.journal, sensitivity.json.
	StoreFileLimit = 256 << 20
	// RecordLimit bounds one line (record) of a file read line by line:
	// runs.journal, rows.csv, points.csv. Files
	// read this way have no total limit (a large sweep's runs.journal is
	// streamed, never held), only this one per line.
	RecordLimit = 1 << 20
)

var (
	// ErrTooLarge is wrapped when an input exceeds its limit.
	ErrTooLarge = errors.New("larger than the limit")
	// ErrNotRegular is wrapped when an input is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
)

// Stdin is what "-" reads (a variable for tests).
var Stdin io.Reader = os.Stdin

// Error is a refused or failed read.
type Error struct {
	Path string // the file as given
	What string // what it was read as: "scenario file", "roster CSV", ...
	Msg  string
	Err  error // fs.ErrNotExist, ErrTooLarge, ErrNotRegular, or the OS error
}

func (e *Error) Error() string {
	what := e.What
	if what != "" {
		what += " "
	}
	return what + e.Path + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Size formats a limit: "16 MiB".
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func tooLarge(path, what string, limit int64) *Error {
	return &Error{Path: path, What: what, Err: ErrTooLarge,
		Msg: fmt.Sprintf("larger than the %s limit for a %s", Size(limit), orFile(what))}
}

func orFile(what string) string {
	if what == "" {
		return "file"
	}
	return what
}

// ReadFile reads the regular file at path, or standard input when path is
// "-", refusing anything larger than limit bytes and anything that is not
// a regular file (a device, FIFO, socket or directory).
func ReadFile(path string, limit int64, what string) ([]byte, error) {
	if path == "-" {
		return readLimited(Stdin, path, limit, what)
	}
	return ReadRegular(path, limit, what)
}

// ReadRegular is ReadFile without the "-" convention.
func ReadRegular(path string, limit int64, what string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, osError(path, what, err)
	}
	if err := regular(path, what, fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, tooLarge(path, what, limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, osError(path, what, err)
	}
	defer f.Close()
	// The file may have been replaced between Stat and Open.
	if fi, err = f.Stat(); err != nil {
		return nil, osError(path, what, err)
	}
	if err := regular(path, what, fi); err != nil {
		return nil, err
	}
	return readLimited(f, path, limit, what)
}

func regular(path, what string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	kind := "a special file"
	switch m := fi.Mode(); {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return &Error{Path: path, What: what, Err: ErrNotRegular,
		Msg: "not a regular file (" + kind + "); give a file, or - to read standard input"}
}

func osError(path, what string, err error) *Error {
	msg := "cannot read"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = "no such file"
	case errors.Is(err, fs.ErrPermission):
		msg = "permission denied"
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = "cannot read: " + pe.Err.Error()
		}
	}
	return &Error{Path: path, What: what, Msg: msg, Err: err}
}

func readLimited(r io.Reader, path string, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, osError(path, what, err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(path, what, limit)
	}
	return b, nil
}

// LimitedReader returns a reader of r that fails with an *Error wrapping
// ErrTooLarge once more than limit bytes were read.
func LimitedReader(r io.Reader, limit int64, path, what string) io.Reader {
	return &limited{r: r, left: limit, limit: limit, path: path, what: what}
}

type limited struct {
	r           io.Reader
	left, limit int64
	path, what  string
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, tooLarge(l.path, l.what, l.limit)
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n + int(l.left), tooLarge(l.path, l.what, l.limit)
	}
	return n, err
}

// Open opens the regular file at path for reading as a stream, refusing a
// non-regular file (a device, FIFO, socket or directory) and, when limit
// is positive, a file larger than limit bytes.
func Open(path string, limit int64, what string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, osError(path, what, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, osError(path, what, err)
	}
	if err := regular(path, what, fi); err != nil {
		f.Close()
		return nil, err
	}
	if limit > 0 && fi.Size() > limit {
		f.Close()
		return nil, tooLarge(path, what, limit)
	}
	return f, nil
}

// LineLimited returns a reader of r that fails with an *Error wrapping
// ErrTooLarge as soon as a line (the bytes between two newlines) is longer
// than max bytes: a reader that parses lines (encoding/csv, a journal's)
// then never buffers more than that.
func LineLimited(r io.Reader, max int64, path, what string) io.Reader {
	return &lineLimited{r: r, max: max, path: path, what: what}
}

type lineLimited struct {
	r          io.Reader
	max, run   int64 // run: bytes since the last newline
	path, what string
}

func (l *lineLimited) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for b := p[:n]; ; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.run += int64(len(b))
			break
		}
		if l.run+int64(i) > l.max {
			l.run += int64(i)
			break
		}
		l.run, b = 0, b[i+1:]
	}
	if l.run > l.max {
		return 0, &Error{Path: l.path, What: l.what, Err: ErrTooLarge,
			Msg: fmt.Sprintf("a line longer than the %s limit for a line of a %s", Size(l.max), orFile(l.what))}
	}
	return n, err
}
