package scenarios

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/startrend/startrend/internal/safeio"
)

// rosterColumns are the columns of a roster CSV (RosterColumns), in any order; a header row
// naming them is required. The four format columns are weekly capacities.
var rosterColumns = []string{"id", "name", "type", "followers", "quality", "live_skill",
	"short_video", "live", "post", "storefront", "fee", "commission", "reservation_income"}

// RosterColumns returns the columns of a roster CSV, in order (a new slice
// on each call).
func RosterColumns() []string { return slices.Clone(rosterColumns) }

// loadRoster reads sc.rosterFile into sc.Creators.RosterCreators. Problems
// are reported as FILE:ROW:COL: column: message, ROW being the line (the
// header is row 1) and COL the 1-based column number.
func (l *loader) loadRoster(sc *Scenario) {
	name := sc.rosterFile
	data, err := l.read(name, safeio.RosterLimit, "roster CSV")
	if err != nil {
		msg := "cannot read roster"
		var se *safeio.Error
		switch {
		case errors.Is(err, fs.ErrNotExist):
			msg = "roster file not found"
		case errors.As(err, &se):
			msg = "cannot read roster: " + se.Msg
		}
		l.c.add(sc.posFor("creators.roster"), "creators.roster", msg, quote(name), "")
		return
	}
	sc.rosterData = data
	creators, es := parseRoster(name, data)
	l.c.list = append(l.c.list, es...)
	sc.Creators.RosterCreators = creators
}

// maxRosterCreators bounds the rows of a roster CSV (as
// creators.generate.count is bounded).
const maxRosterCreators = 10_000_000

// parseRoster parses a roster CSV.
func parseRoster(name string, data []byte) ([]RosterCreator, Errors) {
	var c errs
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // spreadsheets' BOM
	if len(bytes.TrimSpace(data)) == 0 {
		c.add(Pos{File: name, Line: 1, Col: 1}, "", "empty roster file", "", "a header row: "+strings.Join(rosterColumns, ","))
		return nil, c.list
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		c.add(Pos{File: name, Line: 1, Col: 1}, "", "not a roster CSV (its first row is not CSV)", "", "a header row: "+strings.Join(rosterColumns, ","))
		return nil, c.list
	}
	// A file whose first row names none of the columns is not a roster (a
	// file named by mistake): it is reported without quoting it.
	known := 0
	for _, h := range header {
		if containsStr(rosterColumns, strings.TrimSpace(h)) {
			known++
		}
	}
	if known == 0 {
		c.add(Pos{File: name, Line: 1, Col: 1}, "", "not a roster CSV (its first row names none of the roster columns)", "", "a header row: "+strings.Join(rosterColumns, ","))
		return nil, c.list
	}
	if len(header) > 4*len(rosterColumns) {
		c.add(Pos{File: name, Line: 1, Col: 1}, "", fmt.Sprintf("the header has %d columns", len(header)), "", fmt.Sprintf("the %d roster columns", len(rosterColumns)))
		return nil, c.list
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch {
		case !containsStr(rosterColumns, h):
			path := h
			if len(path) > 60 {
				path = ""
			}
			c.add(Pos{File: name, Line: 1, Col: i + 1}, path, "unknown column"+DidYouMean(h, rosterColumns), quote(h), strings.Join(rosterColumns, ","))
		case col[h] > 0:
			c.add(Pos{File: name, Line: 1, Col: i + 1}, h, "duplicate column", quote(h), "")
		default:
			col[h] = i + 1
		}
	}
	for _, h := range rosterColumns {
		if col[h] == 0 {
			c.add(Pos{File: name, Line: 1, Col: 1}, h, "missing column", "", strings.Join(rosterColumns, ","))
		}
	}
	if len(c.list) > 0 {
		return nil, c.list
	}
	var out []RosterCreator
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			c.add(Pos{File: name, Line: line, Col: 1}, "", "bad CSV: "+err.Error(), "", "")
			return out, c.list
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			c.add(Pos{File: name, Line: line, Col: 1}, "", fmt.Sprintf("row has %d fields, the header %d", len(rec), len(header)), "", "")
			continue
		}
		get := func(h string) (string, Pos) {
			i := col[h] - 1
			return strings.TrimSpace(rec[i]), Pos{File: name, Line: line, Col: i + 1}
		}
		num := func(h string, lo, hi float64) float64 {
			s, p := get(h)
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				c.add(p, h, "expected a number", quote(s), "")
				return 0
			}
			if f < lo || f > hi {
				r := rng(lo, hi)
				if math.IsInf(hi, 1) {
					r = atLeast(lo)
				}
				c.add(p, h, "out of range", s, r.allowed())
			}
			return f
		}
		if len(out) >= maxRosterCreators {
			c.add(Pos{File: name, Line: line, Col: 1}, "", fmt.Sprintf("more than %d creators", maxRosterCreators), "", "at most that many rows")
			return nil, c.list
		}
		var rc RosterCreator
		var p Pos
		rc.ID, p = get("id")
		switch {
		case rc.ID == "":
			c.add(p, "id", "must not be empty", "", "")
		case !idRE.MatchString(rc.ID):
			c.add(p, "id", "must not contain '.', '=' or white space", quote(rc.ID), "")
		case seen[rc.ID] > 0:
			c.add(p, "id", fmt.Sprintf("duplicate id (first on row %d)", seen[rc.ID]), quote(rc.ID), "")
		default:
			seen[rc.ID] = line
		}
		rc.Name, _ = get("name")
		rc.Type, p = get("type")
		if rc.Type == "" {
			c.add(p, "type", "must not be empty", "", "a creator type id")
		}
		inf := math.Inf(1)
		rc.Followers = num("followers", 0, inf)
		rc.Quality = num("quality", 0, 1)
		rc.LiveSkill = num("live_skill", 0, 1)
		rc.Capacity.ShortVideo = num("short_video", 0, 1000)
		rc.Capacity.Live = num("live", 0, 1000)
		rc.Capacity.Post = num("post", 0, 1000)
		rc.Capacity.Storefront = num("storefront", 0, 1000)
		rc.Fee = num("fee", 0, inf)
		rc.Commission = num("commission", 0, 1)
		rc.ReservationIncome = num("reservation_income", 0, inf)
		out = append(out, rc)
	}
	if len(out) == 0 && len(c.list) == 0 {
		c.add(Pos{File: name, Line: 2, Col: 1}, "", "roster has no creators", "", "one creator per row after the header")
	}
	return out, c.list
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
