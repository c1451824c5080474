package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// SweepOptions control WriteSweepReport.
type SweepOptions struct {
	Currency string    // the scenario's currency (units of money KPIs)
	Font     string    // plot font file ("" = search the system)
	Warn     io.Writer // where a font substitution and inert parameters are reported
}

// sweepKPIs are the KPIs a sweep report plots, when recorded.
var sweepKPIs = []string{"gmv", "profit", "new_customers", "orders", "roi"}

// sweepDir is what the report reads from a finished sweep directory:
// store.json (parameters, outputs) and points.csv (per-point summaries).
type sweepDir struct {
	Scenario string `json:"scenario"`
	State    string `json:"state"`
	Columns  []struct {
		Name       string   `json:"name"`
		Kind       string   `json:"kind"`
		Categories []string `json:"categories"`
	} `json:"columns"`
	Outputs []struct {
		Variant string `json:"variant"`
		Metric  string `json:"metric"`
	} `json:"outputs"`
	// points[p] holds the point's coordinates (labels as in the files)
	// and the summaries by variant+"\x00"+metric.
	points   []sweepPoint
	variants []string
	metrics  []string
	// total is the number of points in the sweep; points holds every
	// stride-th of them (all when total ≤ maxReportPoints), so the report's
	// memory does not grow with the sweep. best holds the best point of each
	// output over all points.
	total, stride int
	best          map[string]bestPoint
}

type bestPoint struct {
	point  int
	labels []string
	est    sim.Estimate
}

// maxReportPoints bounds the points a report holds and plots.
const maxReportPoints = 2000

type sweepPoint struct {
	labels []string
	x      []float64 // numeric coordinates (category index for categorical)
	est    map[string]sim.Estimate
	// diff holds, for a sweep of one parameter, the paired difference of
	// each recorded KPI against the point with the lowest value, by
	// variant+"\x00"+metric (replication r of every point shares streams).
	diff map[string]stats.Estimate
}

// maxPairedValues bounds the values read from rows.csv for paired
// differences (points × replications × outputs).
const maxPairedValues = 4 << 20

// readPaired fills the points' paired differences against the reference
// point ref from rows.csv (one parameter only; skipped for large sweeps).
func (sd *sweepDir) readPaired(dir string, ref int) error {
	path := filepath.Join(dir, "rows.csv")
	f, err := safeio.Open(path, 0, "sweep rows")
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(safeio.LineLimited(f, safeio.RecordLimit, path, "sweep rows"))
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("rows.csv: %v", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"point", "replication", "variant", "metric", "value"} {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("rows.csv: no column %s", c)
		}
	}
	vals := map[string][][]float64{} // output → point → replication
	count := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("rows.csv: %v", err)
		}
		p, err1 := strconv.Atoi(rec[col["point"]])
		rep, err2 := strconv.Atoi(rec[col["replication"]])
		if err1 != nil || err2 != nil || p < 0 || p >= len(sd.points) || rep < 0 || rep > 1e6 {
			return fmt.Errorf("rows.csv: bad point or replication %q, %q", rec[col["point"]], rec[col["replication"]])
		}
		key := rec[col["variant"]] + "\x00" + rec[col["metric"]]
		v := math.NaN()
		if s := rec[col["value"]]; s != "" {
			if v, err = strconv.ParseFloat(s, 64); err != nil {
				return fmt.Errorf("rows.csv: value %q", s)
			}
		}
		byPoint := vals[key]
		if byPoint == nil {
			byPoint = make([][]float64, len(sd.points))
			vals[key] = byPoint
		}
		for len(byPoint[p]) <= rep {
			byPoint[p] = append(byPoint[p], math.NaN())
			if count++; count > maxPairedValues {
				return nil // too large to pair in memory: no paired differences
			}
		}
		byPoint[p][rep] = v
	}
	for key, byPoint := range vals {
		for p := range sd.points {
			if sd.points[p].diff == nil {
				sd.points[p].diff = map[string]stats.Estimate{}
			}
			sd.points[p].diff[key] = stats.PairedDiff(byPoint[p], byPoint[ref], 0.95)
		}
	}
	return nil
}

// countLines counts the newlines of f from its current offset.
func countLines(f *os.File) (int, error) {
	buf := make([]byte, 1<<16)
	n := 0
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func readSweepDir(dir string) (*sweepDir, error) {
	b, err := safeio.ReadRegular(filepath.Join(dir, "store.json"), safeio.StoreFileLimit, "run store manifest")
	if err != nil {
		return nil, err
	}
	var sd sweepDir
	if err := json.Unmarshal(b, &sd); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "store.json"), err)
	}
	if sd.State != "complete" {
		return nil, fmt.Errorf("%s: the sweep is not finished", dir)
	}
	for _, o := range sd.Outputs {
		if !slices.Contains(sd.variants, o.Variant) {
			sd.variants = append(sd.variants, o.Variant)
		}
		if !slices.Contains(sd.metrics, o.Metric) {
			sd.metrics = append(sd.metrics, o.Metric)
		}
	}
	pointsPath := filepath.Join(dir, "points.csv")
	f, err := safeio.Open(pointsPath, 0, "sweep points")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Count the points first (one line per point and output).
	lines, err := countLines(f)
	if err != nil {
		return nil, err
	}
	if len(sd.Outputs) > 0 {
		sd.total = max(0, lines-1) / len(sd.Outputs)
	}
	sd.stride = max(1, (sd.total+maxReportPoints-1)/maxReportPoints)
	sd.best = map[string]bestPoint{}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	r := csv.NewReader(safeio.LineLimited(f, safeio.RecordLimit, pointsPath, "sweep points"))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("points.csv: %v", err)
	}
	nc := len(sd.Columns)
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return x
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("points.csv: %v", err)
		}
		if len(rec) != 1+nc+7 {
			return nil, fmt.Errorf("points.csv: %d fields, expected %d", len(rec), 1+nc+7)
		}
		p, err := strconv.Atoi(rec[0])
		if err != nil || p < 0 || p/sd.stride > len(sd.points) {
			return nil, fmt.Errorf("points.csv: point %q out of order", rec[0])
		}
		n, _ := strconv.Atoi(rec[1+nc+2])
		key := rec[1+nc] + "\x00" + rec[1+nc+1]
		e := sim.Estimate{N: n, Mean: num(rec[1+nc+3]), SD: num(rec[1+nc+4]), Lo: num(rec[1+nc+5]), Hi: num(rec[1+nc+6])}
		if b, ok := sd.best[key]; finite(e.Mean) && (!ok || e.Mean > b.est.Mean) {
			sd.best[key] = bestPoint{point: p, labels: slices.Clone(rec[1 : 1+nc]), est: e}
		}
		if p%sd.stride != 0 {
			continue
		}
		if p/sd.stride == len(sd.points) {
			pt := sweepPoint{est: map[string]sim.Estimate{}}
			for j := 0; j < nc; j++ {
				pt.labels = append(pt.labels, rec[1+j])
				x := num(rec[1+j])
				if sd.Columns[j].Kind == "categorical" {
					x = float64(slices.Index(sd.Columns[j].Categories, rec[1+j]))
				}
				pt.x = append(pt.x, x)
			}
			sd.points = append(sd.points, pt)
		}
		sd.points[p/sd.stride].est[key] = e
	}
	return &sd, nil
}

// WriteSweepReport writes report.html, report.md and plots/sweep_*.png|svg
// into a finished sweep directory, from its store.json and points.csv:
// with one swept parameter, each KPI's mean and 95% CI band against it,
// one line per variant; with two forming a grid, a heat map of each KPI's
// baseline mean; otherwise the point means against each parameter.
func WriteSweepReport(dir string, opt SweepOptions) error {
	sd, err := readSweepDir(dir)
	if err != nil {
		return err
	}
	th, err := newTheme(opt.Font)
	if err != nil {
		return err
	}
	metrics := map[string]sim.Metric{}
	for _, m := range sim.Metrics(opt.Currency) {
		metrics[m.Name] = m
	}
	var kpis []string
	for _, k := range sweepKPIs {
		if slices.Contains(sd.metrics, k) {
			kpis = append(kpis, k)
		}
	}
	if len(kpis) == 0 && len(sd.metrics) > 0 {
		kpis = sd.metrics[:min(3, len(sd.metrics))]
	}
	label := func(k string) string {
		if m, ok := metrics[k]; ok {
			if m.Unit != "" && m.Unit != "ratio" {
				return m.Label + " (" + m.Unit + ")"
			}
			return m.Label
		}
		return k
	}
	var specs []plotSpec
	nc := len(sd.Columns)
	grid2 := nc == 2 && isGrid(sd)
	ref := -1
	if nc == 1 && len(sd.points) > 1 && sd.stride == 1 {
		ref = 0
		for i, p := range sd.points {
			if p.x[0] < sd.points[ref].x[0] {
				ref = i
			}
		}
		if err := sd.readPaired(dir, ref); err != nil {
			return err
		}
	}
	for _, k := range kpis {
		k := k
		switch {
		case nc == 1:
			specs = append(specs, plotSpec{Name: "sweep_" + fileStem(k, "kpi"), W: 7 * vg.Inch, H: 4.2 * vg.Inch,
				Caption: fmt.Sprintf("%s against %s: mean over replications with its 95%% CI band, per variant (paired: every point uses the same random streams)", label(k), sd.Columns[0].Name),
				Make:    func() *plot.Plot { return sweepLine(th, sd, k, label(k), false) }})
			if ref >= 0 && sd.points[ref].diff != nil {
				specs = append(specs, plotSpec{Name: "sweep_diff_" + fileStem(k, "kpi"), W: 7 * vg.Inch, H: 4.2 * vg.Inch,
					Caption: fmt.Sprintf("Change in %s against %s = %s: paired difference (same random streams per replication) with its 95%% CI band, per variant", label(k), sd.Columns[0].Name, sd.points[ref].labels[0]),
					Make:    func() *plot.Plot { return sweepLine(th, sd, k, label(k), true) }})
			}
		case grid2:
			for _, v := range sd.variants {
				v := v
				specs = append(specs, plotSpec{Name: "sweep_heat_" + fileStem(k, "kpi") + "_" + fileStem(v, "variant"), W: 7 * vg.Inch, H: 5 * vg.Inch,
					Caption: fmt.Sprintf("%s (%s): mean over replications at each combination of %s and %s", label(k), v, sd.Columns[0].Name, sd.Columns[1].Name),
					Make:    func() *plot.Plot { return sweepHeat(th, sd, v, k, label(k)) }})
			}
		default:
			for j := range sd.Columns {
				j := j
				specs = append(specs, plotSpec{Name: fmt.Sprintf("sweep_%s_by_%d", fileStem(k, "kpi"), j), W: 7 * vg.Inch, H: 4.2 * vg.Inch,
					Caption: fmt.Sprintf("%s of each point (baseline mean) against %s", label(k), sd.Columns[j].Name),
					Make:    func() *plot.Plot { return sweepScatter(th, sd, j, k, label(k)) }})
			}
		}
	}
	if err := renderPlots(dir, specs, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	substituted := warnSubstituted(th, opt.Warn)
	if opt.Warn != nil {
		for _, name := range inertParameters(sd) {
			fmt.Fprintf(opt.Warn, "warning: sweep parameter %s changed no recorded KPI: points that differ only in it have identical means\n", name)
		}
	}
	md, html := sweepReportText(sd, kpis, label, specs, substituted)
	if err := os.WriteFile(filepath.Join(dir, ReportMDFile), md, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ReportHTMLFile), html, 0o644)
}

// inertParameters names the sweep's parameters that changed nothing: for
// each parameter, the points that share every other coordinate are
// compared, and a parameter is inert when at least one such set has two or
// more of its values and, in every set, every recorded output (each
// variant and metric) has the same mean at all of them (an undefined
// mean, such as the ROI of an arm without spend, equals another). Under
// common random numbers a parameter that acts moves some mean; an inert
// one is a field that cannot act in this scenario (a pacing rule when no
// budget binds, a campaign field outside the horizon). Designs whose
// points never share the other coordinates (random, Latin hypercube)
// report nothing.
func inertParameters(sd *sweepDir) []string {
	var inert []string
	for j, c := range sd.Columns {
		groups := map[string][]int{}
		for i, p := range sd.points {
			key := make([]string, 0, len(p.labels))
			for k, l := range p.labels {
				if k != j {
					key = append(key, l)
				}
			}
			g := strings.Join(key, "\x00")
			groups[g] = append(groups[g], i)
		}
		compared, moved := false, false
		for _, idx := range groups {
			first := sd.points[idx[0]]
			for _, i := range idx[1:] {
				p := sd.points[i]
				if p.labels[j] == first.labels[j] {
					continue
				}
				compared = true
				for key, e := range first.est {
					if o, ok := p.est[key]; !ok || (o.Mean != e.Mean && !(math.IsNaN(o.Mean) && math.IsNaN(e.Mean))) {
						moved = true
					}
				}
			}
		}
		if compared && !moved {
			inert = append(inert, c.Name)
		}
	}
	return inert
}

func isGrid(sd *sweepDir) bool {
	seen := map[[2]string]bool{}
	a, b := map[string]bool{}, map[string]bool{}
	for _, p := range sd.points {
		seen[[2]string{p.labels[0], p.labels[1]}] = true
		a[p.labels[0]], b[p.labels[1]] = true, true
	}
	return len(seen) == len(a)*len(b) && len(seen) == len(sd.points)
}

// axisValues returns the distinct coordinates of column j in order, with
// their labels.
func axisValues(sd *sweepDir, j int) ([]float64, []string) {
	var xs []float64
	lab := map[float64]string{}
	for _, p := range sd.points {
		if _, ok := lab[p.x[j]]; !ok {
			lab[p.x[j]] = p.labels[j]
			xs = append(xs, p.x[j])
		}
	}
	slices.Sort(xs)
	ls := make([]string, len(xs))
	for i, x := range xs {
		ls[i] = lab[x]
	}
	return xs, ls
}

func sweepLine(th *theme, sd *sweepDir, kpi, ylabel string, paired bool) *plot.Plot {
	col := sd.Columns[0]
	title := ylabel + " by " + col.Name
	if paired {
		title = "Change in " + ylabel + " (paired)"
		ylabel = "Δ " + ylabel
	}
	p := th.newPlot(title, col.Name, ylabel)
	for vi, v := range sd.variants {
		se := &Series{}
		idx := make([]int, len(sd.points))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(sd.points[a].x[0], sd.points[b].x[0]) })
		for _, i := range idx {
			e := sd.points[i].est[v+"\x00"+kpi]
			if paired {
				d := sd.points[i].diff[v+"\x00"+kpi]
				e = sim.Estimate{Mean: d.Mean, Lo: d.Lo, Hi: d.Hi}
			}
			se.Day = append(se.Day, 0)
			se.Mean = append(se.Mean, e.Mean)
			se.Lo = append(se.Lo, e.Lo)
			se.Hi = append(se.Hi, e.Hi)
		}
		addBandLineX(p, idx, sd, se, colorAt(vi), th.label(v, fmt.Sprintf("variant %d", vi)))
	}
	if col.Kind == "categorical" {
		nominal(p, labelsOf(col.Categories, th))
	}
	return p
}

func labelsOf(xs []string, th *theme) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = th.label(x, strconv.Itoa(i))
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// addBandLineX draws se (in the order idx of points) against the points'
// first coordinate.
func addBandLineX(p *plot.Plot, idx []int, sd *sweepDir, se *Series, c color.RGBA, label string) {
	var line, upper, lower plotter.XYs
	for k, i := range idx {
		x := sd.points[i].x[0]
		if finite(se.Mean[k]) {
			line = append(line, plotter.XY{X: x, Y: se.Mean[k]})
		}
		if finite(se.Lo[k]) && finite(se.Hi[k]) {
			lower = append(lower, plotter.XY{X: x, Y: se.Lo[k]})
			upper = append(upper, plotter.XY{X: x, Y: se.Hi[k]})
		}
	}
	if len(lower) > 1 {
		poly := append(plotter.XYs(nil), lower...)
		for i := len(upper) - 1; i >= 0; i-- {
			poly = append(poly, upper[i])
		}
		if pg, err := plotter.NewPolygon(poly); err == nil {
			pg.Color = withAlpha(c, 60)
			pg.LineStyle.Width = 0
			p.Add(pg)
		}
	}
	if len(line) > 0 {
		if l, pts, err := plotter.NewLinePoints(line); err == nil {
			l.Color = c
			l.Width = vg.Points(1.6)
			pts.GlyphStyle.Color = c
			pts.GlyphStyle.Radius = vg.Points(2)
			p.Add(l, pts)
			p.Legend.Add(label, l, pts)
		}
	}
}

// heatGrid is a GridXYZ over the category positions of two columns.
type heatGrid struct {
	nx, ny int
	z      []float64
}

func (g heatGrid) Dims() (c, r int)   { return g.nx, g.ny }
func (g heatGrid) Z(c, r int) float64 { return g.z[r*g.nx+c] }
func (g heatGrid) X(c int) float64    { return float64(c) }
func (g heatGrid) Y(r int) float64    { return float64(r) }

func sweepHeat(th *theme, sd *sweepDir, variant, kpi, zlabel string) *plot.Plot {
	xs, xl := axisValues(sd, 0)
	ys, yl := axisValues(sd, 1)
	g := heatGrid{nx: len(xs), ny: len(ys), z: make([]float64, len(xs)*len(ys))}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range g.z {
		g.z[i] = math.NaN()
	}
	for _, p := range sd.points {
		c, r := slices.Index(xs, p.x[0]), slices.Index(ys, p.x[1])
		z := p.est[variant+"\x00"+kpi].Mean
		g.z[r*g.nx+c] = z
		if finite(z) {
			lo, hi = math.Min(lo, z), math.Max(hi, z)
		}
	}
	p := th.newPlot(zlabel+" — "+th.label(variant, "variant"), sd.Columns[0].Name, sd.Columns[1].Name)
	pal := moreland.SmoothBlueRed()
	if finite(lo) && hi > lo {
		pal.SetMin(lo)
		pal.SetMax(hi)
	} else if finite(lo) {
		pal.SetMin(lo - 1)
		pal.SetMax(lo + 1)
	}
	h := plotter.NewHeatMap(g, pal.Palette(64))
	h.NaN = color.Gray{Y: 200}
	p.Add(h)
	// Cell values as text.
	var labels plotter.XYLabels
	for r := 0; r < g.ny; r++ {
		for c := 0; c < g.nx; c++ {
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			labels.Labels = append(labels.Labels, human(g.Z(c, r)))
		}
	}
	if l, err := plotter.NewLabels(labels); err == nil {
		for i := range l.TextStyle {
			l.TextStyle[i].Font = font.From(th.fnt, 8)
			l.TextStyle[i].Handler = th.handler
			l.TextStyle[i].XAlign = -0.5
			l.TextStyle[i].YAlign = -0.5
		}
		p.Add(l)
	}
	p.X.Tick.Marker = indexTicks(labelsOf(xl, th))
	p.Y.Tick.Marker = indexTicks(labelsOf(yl, th))
	p.Legend.Add(fmt.Sprintf("blue %s … red %s", human(lo), human(hi)))
	return p
}

type indexTicks []string

func (t indexTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for i, s := range t {
		out = append(out, plot.Tick{Value: float64(i), Label: s})
	}
	return out
}

func sweepScatter(th *theme, sd *sweepDir, j int, kpi, ylabel string) *plot.Plot {
	col := sd.Columns[j]
	p := th.newPlot(ylabel+" by "+col.Name, col.Name, ylabel)
	var xys plotter.XYs
	for _, pt := range sd.points {
		if e := pt.est[sd.variants[0]+"\x00"+kpi]; finite(e.Mean) {
			xys = append(xys, plotter.XY{X: pt.x[j], Y: e.Mean})
		}
	}
	if s, err := plotter.NewScatter(xys); err == nil {
		s.GlyphStyle.Color = colorAt(0)
		s.GlyphStyle.Radius = vg.Points(1.5)
		p.Add(s)
	}
	if col.Kind == "categorical" {
		nominal(p, labelsOf(col.Categories, th))
	}
	return p
}

// sweepReportText renders report.md and report.html: the parameters, the
// best point of each KPI per variant, the figures and a table of points.
func sweepReportText(sd *sweepDir, kpis []string, label func(string) string, specs []plotSpec, substituted bool) ([]byte, []byte) {
	var md bytes.Buffer
	fmt.Fprintf(&md, "# Sweep: %s\n\n", mdEscape(sd.Scenario))
	var cols []string
	for _, c := range sd.Columns {
		cols = append(cols, "`"+c.Name+"`")
	}
	fmt.Fprintf(&md, "%d points over %s; variants: %s. Means with 95%% CIs over replications; every point uses the same random streams per replication (common random numbers). Data: `rows.parquet` / `rows.csv` (one row per run and KPI), `points.csv` (per point).\n\n",
		sd.total, strings.Join(cols, ", "), strings.Join(sd.variants, ", "))
	if sd.stride > 1 {
		fmt.Fprintf(&md, "The figures and the table show every %d-th point (%d of %d); the best points are over all of them.\n\n", sd.stride, len(sd.points), sd.total)
	}
	type best struct{ Variant, KPI, Point, Value string }
	var bests []best
	md.WriteString("## Best point per KPI\n\n| variant | KPI | best point | mean [95% CI] |\n|---|---|---|---|\n")
	for _, v := range sd.variants {
		for _, k := range kpis {
			bp, ok := sd.best[v+"\x00"+k]
			if !ok {
				continue
			}
			e := bp.est
			var at []string
			for j, c := range sd.Columns {
				at = append(at, c.Name+" = "+bp.labels[j])
			}
			b := best{v, label(k), strings.Join(at, ", "), fmt.Sprintf("%s [%s, %s]", human(e.Mean), human(e.Lo), human(e.Hi))}
			bests = append(bests, b)
			fmt.Fprintf(&md, "| %s | %s | %s | %s |\n", mdEscape(b.Variant), mdEscape(b.KPI), mdEscape(b.Point), b.Value)
		}
	}
	inert := inertParameters(sd)
	if len(inert) > 0 {
		md.WriteString("\n## Parameters with no effect\n\n")
		for _, name := range inert {
			fmt.Fprintf(&md, "- `%s`: the points that differ only in it have identical means of every recorded KPI in every variant, so it does not act in this scenario at these points (`startrend validate` lists fields that cannot act).\n", name)
		}
	}
	var pairedHead []string
	var pairedRows [][]string
	pairedTitle := ""
	if len(sd.points) > 0 && sd.points[0].diff != nil {
		ref := 0
		for i, p := range sd.points {
			if p.x[0] < sd.points[ref].x[0] {
				ref = i
			}
		}
		pairedTitle = fmt.Sprintf("Paired differences against %s = %s (%s)", sd.Columns[0].Name, sd.points[ref].labels[0], sd.variants[0])
		pairedHead = append(pairedHead, sd.Columns[0].Name)
		for _, k := range kpis {
			pairedHead = append(pairedHead, "Δ "+label(k))
		}
		fmt.Fprintf(&md, "\n## %s\n\n", mdEscape(pairedTitle))
		md.WriteString("Replication r of every point uses the same random streams, so these intervals are much narrower than the per-point ones.\n\n| " + mdEscape(sd.Columns[0].Name) + " |")
		for _, k := range kpis {
			fmt.Fprintf(&md, " Δ %s |", mdEscape(label(k)))
		}
		md.WriteString("\n|---|" + strings.Repeat("---|", len(kpis)) + "\n")
		for _, p := range sd.points {
			row := []string{p.labels[0]}
			for _, k := range kpis {
				d := p.diff[sd.variants[0]+"\x00"+k]
				if d.Defined() {
					row = append(row, fmt.Sprintf("%s [%s, %s]", humanSigned(d.Mean), humanSigned(d.Lo), humanSigned(d.Hi)))
				} else {
					row = append(row, humanSigned(d.Mean))
				}
			}
			pairedRows = append(pairedRows, row)
			md.WriteString("|")
			for _, c := range row {
				fmt.Fprintf(&md, " %s |", mdEscape(c))
			}
			md.WriteString("\n")
		}
	}
	md.WriteString("\n## Figures\n\n")
	for _, s := range specs {
		fmt.Fprintf(&md, "![%s](plots/%s.png)\n\n*%s*\n\n", mdEscape(s.Caption), s.Name, mdEscape(s.Caption))
	}
	if substituted {
		md.WriteString("Some labels are shown as ids: the plot font cannot draw them.\n\n")
	}
	const maxRows = 60
	md.WriteString("## Points\n\n| point |")
	for _, c := range sd.Columns {
		fmt.Fprintf(&md, " %s |", mdEscape(c.Name))
	}
	for _, k := range kpis {
		fmt.Fprintf(&md, " %s (%s) |", mdEscape(label(k)), mdEscape(sd.variants[0]))
	}
	md.WriteString("\n|---|" + strings.Repeat("---|", len(sd.Columns)+len(kpis)) + "\n")
	type row struct{ Cells []string }
	var rows []row
	for i, p := range sd.points {
		if i >= maxRows {
			fmt.Fprintf(&md, "\n… %d more points in points.csv.\n", sd.total-maxRows*sd.stride)
			break
		}
		r := row{Cells: []string{strconv.Itoa(i * sd.stride)}}
		r.Cells = append(r.Cells, p.labels...)
		for _, k := range kpis {
			e := p.est[sd.variants[0]+"\x00"+k]
			r.Cells = append(r.Cells, fmt.Sprintf("%s [%s, %s]", human(e.Mean), human(e.Lo), human(e.Hi)))
		}
		rows = append(rows, r)
		md.WriteString("|")
		for _, c := range r.Cells {
			fmt.Fprintf(&md, " %s |", mdEscape(c))
		}
		md.WriteString("\n")
	}
	var head []string
	head = append(head, "point")
	for _, c := range sd.Columns {
		head = append(head, c.Name)
	}
	for _, k := range kpis {
		head = append(head, label(k)+" ("+sd.variants[0]+")")
	}
	var figs []figure
	for _, s := range specs {
		figs = append(figs, figure{Name: s.Name, Caption: s.Caption, W: int(s.W.Dots(plotDPI) + 0.5), H: int(s.H.Dots(plotDPI) + 0.5)})
	}
	var html bytes.Buffer
	sweepTemplate.Execute(&html, map[string]any{"Scenario": sd.Scenario, "Intro": strings.SplitN(md.String(), "\n\n", 3)[1],
		"Best": bests, "Inert": inert, "Figures": figs, "PairedTitle": pairedTitle, "PairedHead": pairedHead, "PairedRows": pairedRows, "Head": head, "Rows": rows, "More": max(0, sd.total-maxRows*sd.stride)})
	return md.Bytes(), html.Bytes()
}

var sweepTemplate = template.Must(template.New("sweep").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep: {{.Scenario}}</title>
<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}figure{margin:1.5em 0}img{max-width:100%;height:auto}</style>
</head><body>
<h1>Sweep: {{.Scenario}}</h1>
<p>{{.Intro}}</p>
<h2>Best point per KPI</h2>
<table><tr><th>variant</th><th>KPI</th><th>best point</th><th>mean [95% CI]</th></tr>
{{range .Best}}<tr><td>{{.Variant}}</td><td>{{.KPI}}</td><td>{{.Point}}</td><td>{{.Value}}</td></tr>
{{end}}</table>
{{if .Inert}}<h2 id="inert">Parameters with no effect</h2>
<ul>{{range .Inert}}<li><code>{{.}}</code>: the points that differ only in it have identical means of every recorded KPI in every variant, so it does not act in this scenario at these points (<code>startrend validate</code> lists fields that cannot act).</li>{{end}}</ul>{{end}}
{{if .PairedTitle}}<h2>{{.PairedTitle}}</h2>
<p>Replication r of every point uses the same random streams, so these intervals are much narrower than the per-point ones.</p>
<table><tr>{{range .PairedHead}}<th>{{.}}</th>{{end}}</tr>
{{range .PairedRows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
<h2>Figures</h2>
{{range .Figures}}<figure><img src="plots/{{.Name}}.svg" width="{{.W}}" height="{{.H}}" alt="{{.Caption}}"><figcaption>{{.Caption}}</figcaption></figure>
{{end}}
<h2>Points</h2>
<table><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{if .More}}<p>… {{.More}} more points in points.csv.</p>{{end}}
</body></html>
`))
