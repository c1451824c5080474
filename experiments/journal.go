package experiments

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/startrend/startrend/internal/safeio"
)

// A journal is an append-only text file of records, one per line:
// tab-separated fields, the last one the CRC-32 (IEEE, 8 hex digits) of
// everything before it on the line. A record is written with one write
// call, so after kill -9 a journal ends with whole records, or with one
// torn record that has no newline or a wrong checksum: readers recognise
// it and discard it (resume truncates it away). A bad record followed by
// good ones is corruption and an error naming its line.

// appendRecord appends one record (fields joined by tabs, CRC, newline).
func appendRecord(b []byte, fields ...string) []byte {
	start := len(b)
	for _, f := range fields {
		b = append(b, f...)
		b = append(b, '\t')
	}
	sum := crc32.ChecksumIEEE(b[start:])
	b = fmt.Appendf(b, "%08x\n", sum)
	return b
}

// formatValue writes a recorded number exactly ('g', shortest round-trip;
// NaN for an undefined value such as a ratio over zero).
func formatValue(x float64) string {
	if math.IsNaN(x) {
		return "NaN"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func parseValue(s string) (float64, error) {
	return strconv.ParseFloat(s, 64)
}

// record is one parsed journal line.
type record struct {
	fields [][]byte // without the CRC
	offset int64    // byte offset of the line in the file
	line   int      // 1-based line number
}

// journalReader reads records of a journal file in order.
type journalReader struct {
	name string
	r    *bufio.Reader
	off  int64
	line int
	// good is the offset just past the last whole, valid record.
	good int64
	// torn is set when the file ended with a torn record (discarded).
	torn bool
}

func newJournalReader(name string, r io.Reader) *journalReader {
	return &journalReader{name: name, r: bufio.NewReaderSize(r, 1<<16)}
}

// next returns the next valid record, io.EOF at the end (after a torn last
// record too), or an error for a corrupt record followed by more data.
func (j *journalReader) next() (record, error) {
	line, err := j.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// A line longer than the buffer: accumulate.
		buf := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			line, err = j.r.ReadSlice('\n')
			buf = append(buf, line...)
			if len(buf) > safeio.RecordLimit {
				return record{}, recordTooLong(j.name, j.off)
			}
		}
		line = buf
	}
	if len(line) == 0 && err == io.EOF {
		return record{}, io.EOF
	}
	j.line++
	start := j.off
	j.off += int64(len(line))
	if err == io.EOF { // no newline: torn last record
		j.torn = true
		return record{}, io.EOF
	}
	if err != nil {
		return record{}, err
	}
	body := line[:len(line)-1]
	k := bytes.LastIndexByte(body, '\t')
	ok := k >= 0 && len(body)-k-1 == 8
	if ok {
		want, perr := strconv.ParseUint(string(body[k+1:]), 16, 32)
		ok = perr == nil && uint32(want) == crc32.ChecksumIEEE(body[:k+1])
	}
	if !ok {
		// A bad checksum on the last line is a torn write; anywhere else it
		// is corruption.
		if _, perr := j.r.Peek(1); perr == io.EOF {
			j.torn = true
			return record{}, io.EOF
		}
		return record{}, fmt.Errorf("%s:%d: corrupt record (bad checksum) followed by more records; the journal was changed by something other than startrend", j.name, j.line)
	}
	j.good = j.off
	fields := bytes.Split(body[:k], []byte{'\t'})
	return record{fields: fields, offset: start, line: j.line}, nil
}

// errAt formats a problem with the record at its line.
func (j *journalReader) errAt(rec record, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", j.name, rec.line, fmt.Sprintf(format, args...))
}

// readRecordAt reads the record starting at offset off of f.
func readRecordAt(f *os.File, off int64, buf []byte) ([][]byte, []byte, error) {
	for {
		n, err := f.ReadAt(buf[:cap(buf)], off)
		b := buf[:n]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			body := b[:i]
			k := bytes.LastIndexByte(body, '\t')
			if k < 0 {
				return nil, buf, fmt.Errorf("%s: bad record at byte %d", f.Name(), off)
			}
			return bytes.Split(body[:k], []byte{'\t'}), buf, nil
		}
		if err != nil {
			return nil, buf, fmt.Errorf("%s: record at byte %d: %v", f.Name(), off, err)
		}
		if cap(buf) >= safeio.RecordLimit {
			return nil, buf, recordTooLong(f.Name(), off)
		}
		buf = make([]byte, 0, 2*cap(buf))
	}
}

// recordTooLong is the error for a journal line past safeio.RecordLimit:
// no record startrend writes is that long, so the file is not a journal
// (or was overwritten), and it is not read further.
func recordTooLong(name string, off int64) error {
	return &safeio.Error{Path: name, What: "journal", Err: safeio.ErrTooLarge,
		Msg: fmt.Sprintf("the record at byte %d is longer than the %s limit for a journal record; not a startrend journal", off, safeio.Size(safeio.RecordLimit))}
}

func atoi(b []byte) (int64, bool) {
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}
