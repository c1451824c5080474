package reports

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// plotDPI is the resolution of the PNG plots: at 96 DPI a plot is shown at
// its natural size at 100% zoom.
const plotDPI = 96

// plotSpec is one figure: files plots/<Name>.png and .svg.
type plotSpec struct {
	Name    string // file stem
	Caption string // shown under the figure; also the alt text
	W, H    vg.Length
	Make    func() *plot.Plot
}

// newPlot makes a plot with the theme's fonts, a title, axis labels and a
// grid.
func (th *theme) newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.TextHandler = th.handler
	set := func(st *font.Font, size vg.Length) { *st = font.From(th.fnt, size) }
	set(&p.Title.TextStyle.Font, 14)
	p.Title.TextStyle.Handler = th.handler
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		set(&ax.Label.TextStyle.Font, 12)
		ax.Label.TextStyle.Handler = th.handler
		set(&ax.Tick.Label.Font, 11)
		ax.Tick.Label.Handler = th.handler
	}
	set(&p.Legend.TextStyle.Font, 11)
	p.Legend.TextStyle.Handler = th.handler
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(6)
	p.Title.Text = title
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Y.Tick.Marker = humanTicks{}
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	p.Add(g)
	return p
}

// humanTicks are plot.DefaultTicks labelled with human().
type humanTicks struct{}

func (humanTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			l := human(ts[i].Value)
			if strings.Contains(l, ".") && !strings.ContainsAny(l, "eE") {
				l = strings.TrimRight(strings.TrimRight(l, "0"), ".")
			}
			ts[i].Label = l
		}
	}
	return ts
}

// nominal labels the x axis with categories, rotating long ones.
func nominal(p *plot.Plot, names []string) {
	if len(names) == 0 {
		return
	}
	p.NominalX(names...)
	long := 0
	for _, n := range names {
		long = max(long, len([]rune(n)))
	}
	if long*len(names) > 70 {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// fileStem makes s safe for a file name; fallback when nothing is left.
//
// A name that is safe and at most maxStem bytes is used as it is; any
// other is shortened to maxStem bytes and gets "_" and a stable short hash
// of the whole name, so that names differing only in unsafe characters
// ("ab<cd", "ab>cd") or beyond the cut never share a file, and no name
// makes a file name too long.
func fileStem(s, fallback string) string {
	t := strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_.")
	if t == s && len(t) <= maxStem {
		return t
	}
	if t == "" || len(t) < len(s)/2 {
		t = fallback
	}
	if len(t) > maxStem {
		t = strings.TrimRight(t[:maxStem], "_.")
	}
	h := sha256.Sum256([]byte(s))
	return t + "_" + hex.EncodeToString(h[:4])
}

// maxStem bounds the part of a plot file name taken from a name.
const maxStem = 48

// renderPlots draws every spec to plots/<name>.png and .svg in dir, on
// up to GOMAXPROCS goroutines. Each file depends only on its spec, so the
// output is the same whatever the scheduling.
func renderPlots(dir string, specs []plotSpec, workers int) error {
	pdir := filepath.Join(dir, PlotsDir)
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		return err
	}
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = renderOne(pdir, specs[i])
			}
		}()
	}
	for i := range specs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func renderOne(pdir string, s plotSpec) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reports: drawing plot %s: %v", s.Name, r)
		}
	}()
	p := s.Make()
	makeRoomForLegend(p, s.W, s.H)
	img := vgimg.NewWith(vgimg.UseWH(s.W, s.H), vgimg.UseDPI(plotDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(img))
	f, err := os.Create(filepath.Join(pdir, s.Name+".png"))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(bw, img.Image()); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	svg := vgsvg.New(s.W, s.H)
	p.Draw(draw.New(svg))
	g, err := os.Create(filepath.Join(pdir, s.Name+".svg"))
	if err != nil {
		return err
	}
	if _, err := svg.WriteTo(g); err != nil {
		g.Close()
		return err
	}
	return g.Close()
}

// makeRoomForLegend raises the y axis maximum so that the legend, drawn in
// the top-left corner of the data area, does not cover the data.
func makeRoomForLegend(p *plot.Plot, w, h vg.Length) {
	c := draw.New(vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(16)))
	r := p.Legend.Rectangle(c)
	lh := r.Max.Y - r.Min.Y
	if lh <= 0 || !finite(p.Y.Min) || !finite(p.Y.Max) || p.Y.Max <= p.Y.Min {
		return
	}
	area := h - vg.Points(90) // title, x axis and tick labels, approximately
	frac := float64((lh + vg.Points(8)) / area)
	if frac > 0.6 {
		frac = 0.6
	}
	p.Y.Max = p.Y.Min + (p.Y.Max-p.Y.Min)/(1-frac)
}

// plotData is what the plot builders read: the loaded run and the labels
// the theme can draw.
type plotData struct {
	run      *Run
	s        *Summary
	th       *theme
	variants []string                     // baseline first
	vlabels  []string                     // drawable labels of variants
	names    map[string]map[string]string // scenarioNames of the run's scenario
}

func newPlotData(run *Run, th *theme) *plotData {
	d := &plotData{run: run, s: run.Summary, th: th, variants: run.Summary.VariantNames(), names: scenarioNames(run.ScenarioYAML)}
	for i, v := range d.variants {
		id := "baseline"
		if i > 0 {
			id = fmt.Sprintf("variant %d", i)
		}
		d.vlabels = append(d.vlabels, th.label(v, id))
	}
	return d
}

func (d *plotData) metricLabel(name string) string {
	if m, ok := d.s.metric(name); ok && m.Label != "" {
		return d.th.label(m.Label, name)
	}
	return name
}

func (d *plotData) unit(name string) string {
	if m, ok := d.s.metric(name); ok {
		return m.Unit
	}
	return ""
}

// series returns variant v's daily series name, or nil.
func (d *plotData) series(v, name string) *Series {
	return d.run.Timeseries[v][name]
}

const (
	wideW  = 9 * vg.Inch
	stdW   = 8 * vg.Inch
	stdH   = 4.5 * vg.Inch
	smallW = 6 * vg.Inch
)

// kpiSeries are the KPIs drawn as time series, when present.
var kpiSeries = []string{"gmv", "orders", "new_customers"}

// funnelStages are the O-5A funnel stock series, in order.
var funnelStages = []string{"o", "a1", "a2", "a3", "a4", "a5"}

var funnelLabels = map[string]string{"o": "O opportunity", "a1": "A1 aware", "a2": "A2 appeal", "a3": "A3 ask", "a4": "A4 act", "a5": "A5 advocate"}

// plotSpecs lists the figures the run's data supports; figures without
// data are left out.
func (d *plotData) plotSpecs() []plotSpec {
	var specs []plotSpec
	specs = append(specs, d.kpiPlots()...)
	specs = append(specs, d.funnelPlots()...)
	specs = append(specs, d.breakdownPlots()...)
	specs = append(specs, d.incomePlots()...)
	specs = append(specs, d.trendPlots()...)
	specs = append(specs, d.campaignPlots()...)
	specs = append(specs, d.diffPlots()...)
	return specs
}

func (d *plotData) kpiPlots() []plotSpec {
	var specs []plotSpec
	for _, name := range kpiSeries {
		found := false
		for _, v := range d.variants {
			if d.series(v, name) != nil {
				found = true
			}
		}
		if !found {
			continue
		}
		name := name
		label := d.metricLabel(name)
		specs = append(specs, plotSpec{
			Name:    "kpi_" + name,
			Caption: fmt.Sprintf("%s per day, mean over replications with 95%% band, every variant; campaign windows shaded.", label),
			W:       stdW, H: stdH,
			Make: func() *plot.Plot {
				p := d.th.newPlot(label+" per day", "day (KPI days after warm-up)", fmt.Sprintf("%s (%s per day)", label, d.unit(name)))
				if ws := d.eventWindows(); len(ws) > 0 {
					p.Add(&windowShade{Windows: ws, th: d.th})
				}
				for i, v := range d.variants {
					if se := d.series(v, name); se != nil {
						addBandLine(p, se, colorAt(i), d.vlabels[i])
					}
				}
				return p
			},
		})
	}
	return specs
}

// addBandLine draws a series' mean as a line over its translucent 95% band.
func addBandLine(p *plot.Plot, se *Series, c color.RGBA, label string) {
	var line, upper, lower plotter.XYs
	for i, day := range se.Day {
		if finite(se.Mean[i]) {
			line = append(line, plotter.XY{X: float64(day), Y: se.Mean[i]})
		}
		if finite(se.Lo[i]) && finite(se.Hi[i]) {
			lower = append(lower, plotter.XY{X: float64(day), Y: se.Lo[i]})
			upper = append(upper, plotter.XY{X: float64(day), Y: se.Hi[i]})
		}
	}
	if len(lower) > 1 {
		poly := make(plotter.XYs, 0, 2*len(lower))
		poly = append(poly, lower...)
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
		if l, err := plotter.NewLine(line); err == nil {
			l.Color = c
			l.Width = vg.Points(1.6)
			p.Add(l)
			if label != "" {
				p.Legend.Add(label, l)
			}
		}
	}
}

func (d *plotData) funnelPlots() []plotSpec {
	base := d.s.Baseline
	// The stacked view shows the aware stages A1–A5: the unaware O stock
	// is most of the market and would leave them as slivers.
	var stages []string
	for _, st := range funnelStages {
		if st != "o" && d.series(base, "stock_"+st) != nil {
			stages = append(stages, st)
		}
	}
	var specs []plotSpec
	if len(stages) > 0 {
		specs = append(specs, plotSpec{
			Name:    "funnel_stocks",
			Caption: "O-5A funnel: users aware of a merchant at each stage A1–A5 per day (baseline, mean over replications), stacked; the unaware O stock is left out so the stages can be read.",
			W:       stdW, H: stdH,
			Make: func() *plot.Plot {
				p := d.th.newPlot("Funnel stages A1–A5 (baseline)", "day (KPI days after warm-up)", "user-merchant pairs (stacked)")
				var cum []float64
				var days []int
				type entry struct {
					name string
					pg   *plotter.Polygon
				}
				var legend []entry
				// A5 at the bottom, O on top.
				for k := len(stages) - 1; k >= 0; k-- {
					se := d.series(base, "stock_"+stages[k])
					if cum == nil {
						cum = make([]float64, len(se.Day))
						days = se.Day
					}
					poly := plotter.XYs{}
					var top plotter.XYs
					for i := range cum {
						if i >= len(se.Mean) {
							break
						}
						v := se.Mean[i]
						if !finite(v) {
							v = 0
						}
						poly = append(poly, plotter.XY{X: float64(days[i]), Y: cum[i]})
						cum[i] += v
						top = append(top, plotter.XY{X: float64(days[i]), Y: cum[i]})
					}
					for i := len(top) - 1; i >= 0; i-- {
						poly = append(poly, top[i])
					}
					if len(poly) < 3 {
						continue
					}
					pg, err := plotter.NewPolygon(poly)
					if err != nil {
						continue
					}
					pg.Color = withAlpha(colorAt(k), 200)
					pg.LineStyle.Width = vg.Points(0.5)
					pg.LineStyle.Color = color.White
					p.Add(pg)
					legend = append(legend, entry{funnelLabels[stages[k]], pg})
				}
				for i := len(legend) - 1; i >= 0; i-- { // O on top, as drawn
					p.Legend.Add(legend[i].name, legend[i].pg)
				}
				p.Y.Min = 0
				return p
			},
		})
	}
	// Stage-to-stage conversion: mean daily flow s→s+1 over the mean
	// stock at s, per variant.
	type trans struct{ from, to string }
	var ts []trans
	for i := 0; i+1 < len(funnelStages); i++ {
		from, to := funnelStages[i], funnelStages[i+1]
		if d.series(base, "flow_"+from+"_"+to) != nil && d.series(base, "stock_"+from) != nil {
			ts = append(ts, trans{from, to})
		}
	}
	if len(ts) > 0 {
		specs = append(specs, plotSpec{
			Name:    "funnel_conversion",
			Caption: "Stage-to-stage conversion: users moving to the next O-5A stage per day, as % of the users at the stage (mean over the horizon).",
			W:       stdW, H: stdH,
			Make: func() *plot.Plot {
				p := d.th.newPlot("O-5A stage-to-stage conversion", "transition", "% of stage's users per day")
				names := make([]string, len(ts))
				for i, t := range ts {
					names[i] = strings.ToUpper(t.from) + "→" + strings.ToUpper(t.to)
				}
				if !canRender(d.th.face, "→") {
					for i, t := range ts {
						names[i] = strings.ToUpper(t.from) + " to " + strings.ToUpper(t.to)
					}
				}
				nv := len(d.variants)
				w := 0.8 / float64(nv)
				for vi, v := range d.variants {
					vals := make([]float64, len(ts))
					for i, t := range ts {
						vals[i] = 100 * meanOf(d.series(v, "flow_"+t.from+"_"+t.to)) / meanOf(d.series(v, "stock_"+t.from))
					}
					b := &bars{Vals: vals, Offset: -0.4 + w*(float64(vi)+0.5), Width: w * 0.9, Color: colorAt(vi)}
					p.Add(b)
					p.Legend.Add(d.vlabels[vi], b)
				}
				nominal(p, names)
				return p
			},
		})
	}
	return specs
}

func meanOf(se *Series) float64 {
	if se == nil {
		return math.NaN()
	}
	var s float64
	var n int
	for _, x := range se.Mean {
		if finite(x) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// breakdownCell finds a breakdown value of variant v.
type bdIndex map[string]BreakdownStat

func bdKey(dim, key, metric string) string { return dim + "\x00" + key + "\x00" + metric }

func (d *plotData) bdIndex(v string) bdIndex {
	ix := bdIndex{}
	for _, b := range d.run.Breakdown[v] {
		ix[bdKey(b.Dimension, b.Key, b.Metric)] = b
	}
	return ix
}

// bdKeys lists the keys of a dimension in file order (baseline).
func (d *plotData) bdKeys(dim, metric string) []string {
	var keys []string
	for _, b := range d.run.Breakdown[d.s.Baseline] {
		if b.Dimension == dim && b.Metric == metric {
			keys = append(keys, b.Key)
		}
	}
	return keys
}

// Breakdown dimensions the reports draw. The engine's "creator_type_format"
// rows are keyed "TYPE/FORMAT".
const (
	DimTypeFormat  = "creator_type_format"
	DimCreatorType = "creator_type"
	DimFormat      = "format"
	DimFACT        = "fact_channel"
)

var bdMetrics = []string{"gmv", "roi"}

// bdNameKind is the kind of named thing a breakdown dimension's keys are
// (scenarioNames); "" for keys without names (formats, channels).
var bdNameKind = map[string]string{DimCreatorType: nameCreatorType, "merchant": nameMerchant, "group": nameGroup, "consumer_group": nameGroup, "campaign": nameCampaign, "trend": nameTrend}

func (d *plotData) breakdownPlots() []plotSpec {
	var specs []plotSpec
	base := d.s.Baseline
	for _, metric := range bdMetrics {
		metric := metric
		label := d.metricLabel(metric)
		unit := d.unit(metric)
		// Creator type × format: groups = types, bars = formats (baseline).
		if keys := d.bdKeys(DimTypeFormat, metric); len(keys) > 0 {
			var types, formats []string
			seenT, seenF := map[string]bool{}, map[string]bool{}
			for _, k := range keys {
				t, f, _ := strings.Cut(k, "/")
				if !seenT[t] {
					seenT[t] = true
					types = append(types, t)
				}
				if !seenF[f] {
					seenF[f] = true
					formats = append(formats, f)
				}
			}
			specs = append(specs, plotSpec{
				Name:    "breakdown_type_format_" + metric,
				Caption: fmt.Sprintf("%s by creator type and content format (baseline), with 95%% CIs.", label),
				W:       wideW, H: stdH,
				Make: func() *plot.Plot {
					p := d.th.newPlot(label+" by creator type × format (baseline)", "creator type", fmt.Sprintf("%s (%s)", label, unit))
					ix := d.bdIndex(base)
					w := 0.8 / float64(len(formats))
					for fi, f := range formats {
						vals, lo, hi := make([]float64, len(types)), make([]float64, len(types)), make([]float64, len(types))
						for ti, t := range types {
							b, ok := ix[bdKey(DimTypeFormat, t+"/"+f, metric)]
							vals[ti], lo[ti], hi[ti] = math.NaN(), math.NaN(), math.NaN()
							if ok {
								vals[ti], lo[ti], hi[ti] = float64(b.Mean), float64(b.CI95[0]), float64(b.CI95[1])
							}
						}
						b := &bars{Vals: vals, Lo: lo, Hi: hi, Offset: -0.4 + w*(float64(fi)+0.5), Width: w * 0.9, Color: colorAt(fi)}
						p.Add(b)
						p.Legend.Add(d.th.label(f, fmt.Sprintf("format %d", fi+1)), b)
					}
					nominal(p, d.namedLabels(types, nameCreatorType, "type"))
					return p
				},
			})
		} else {
			for _, dim := range []string{DimCreatorType, DimFormat} {
				if s, ok := d.byVariantBars(dim, metric, "by "+strings.ReplaceAll(dim, "_", " ")); ok {
					specs = append(specs, s)
				}
			}
		}
		if s, ok := d.byVariantBars(DimFACT, metric, "by FACT channel"); ok {
			specs = append(specs, s)
		}
	}
	return specs
}

// labels makes category labels drawable, replacing undrawable ones by
// "<kind> N".
func (d *plotData) labels(keys []string, kind string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = d.th.label(k, fmt.Sprintf("%s %d", kind, i+1))
	}
	return out
}

// byVariantBars: groups = keys of dim, bars = variants, with 95% CIs.
func (d *plotData) byVariantBars(dim, metric, what string) (plotSpec, bool) {
	keys := d.bdKeys(dim, metric)
	if len(keys) == 0 {
		return plotSpec{}, false
	}
	label, unit := d.metricLabel(metric), d.unit(metric)
	return plotSpec{
		Name:    fmt.Sprintf("breakdown_%s_%s", dim, metric),
		Caption: fmt.Sprintf("%s %s, every variant, with 95%% CIs.", label, what),
		W:       stdW, H: stdH,
		Make: func() *plot.Plot {
			p := d.th.newPlot(fmt.Sprintf("%s %s", label, what), strings.ReplaceAll(dim, "_", " "), fmt.Sprintf("%s (%s)", label, unit))
			nv := len(d.variants)
			w := 0.8 / float64(nv)
			for vi, v := range d.variants {
				ix := d.bdIndex(v)
				vals, lo, hi := make([]float64, len(keys)), make([]float64, len(keys)), make([]float64, len(keys))
				for i, k := range keys {
					vals[i], lo[i], hi[i] = math.NaN(), math.NaN(), math.NaN()
					if b, ok := ix[bdKey(dim, k, metric)]; ok {
						vals[i], lo[i], hi[i] = float64(b.Mean), float64(b.CI95[0]), float64(b.CI95[1])
					}
				}
				b := &bars{Vals: vals, Lo: lo, Hi: hi, Offset: -0.4 + w*(float64(vi)+0.5), Width: w * 0.9, Color: colorAt(vi)}
				p.Add(b)
				p.Legend.Add(d.vlabels[vi], b)
			}
			nominal(p, d.namedLabels(keys, bdNameKind[dim], "key"))
			return p
		},
	}, true
}

// tierOrder orders creator tiers largest first; unknown tiers follow by name.
var tierOrder = map[string]int{"head": 0, "waist": 1, "tail": 2, "koc": 3}

func (d *plotData) incomePlots() []plotSpec {
	var stats []DistStat
	for _, ds := range d.s.Distributions {
		if ds.Variant == d.s.Baseline && strings.HasPrefix(ds.Name, "creator_income:") {
			stats = append(stats, ds)
		}
	}
	if len(stats) == 0 {
		return nil
	}
	sort.SliceStable(stats, func(i, j int) bool {
		ti, iok := tierOrder[strings.TrimPrefix(stats[i].Name, "creator_income:")]
		tj, jok := tierOrder[strings.TrimPrefix(stats[j].Name, "creator_income:")]
		if iok != jok {
			return iok
		}
		if iok {
			return ti < tj
		}
		return stats[i].Name < stats[j].Name
	})
	return []plotSpec{{
		Name:    "creator_income",
		Caption: "Creator income over the horizon by tier (baseline, pooled over replications): box = quartiles, bar = median, × = mean, whiskers = min and max.",
		W:       stdW, H: stdH,
		Make: func() *plot.Plot {
			p := d.th.newPlot("Creator income by tier (baseline)", "creator tier", fmt.Sprintf("income per creator (%s)", d.s.Currency))
			names := make([]string, len(stats))
			for i, s := range stats {
				names[i] = strings.TrimPrefix(s.Name, "creator_income:")
			}
			qb := &quartileBoxes{Stats: stats, Color: withAlpha(colorAt(0), 140)}
			p.Add(qb)
			p.Legend.Add("Q1–Q3, median, min–max", qb)
			nominal(p, d.labels(names, "tier"))
			return p
		},
	}}
}

func (d *plotData) trendPlots() []plotSpec {
	base := d.s.Baseline
	var ids []string
	for _, name := range d.run.SeriesOrder[base] {
		for _, pre := range []string{"trend_adopters:", "trend_submissions:", "trend_plays:"} {
			if id, ok := strings.CutPrefix(name, pre); ok && !contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	var specs []plotSpec
	for ti, id := range ids {
		id := id
		stem := fileStem(id, fmt.Sprintf("%d", ti+1))
		tl := d.nameLabel(nameTrend, id, fmt.Sprintf("trend %d", ti+1))
		tc := d.display(nameTrend, id) // captions are text: the whole name
		if d.series(base, "trend_adopters:"+id) != nil {
			specs = append(specs, plotSpec{
				Name:    "trend_" + stem + "_adoption",
				Caption: fmt.Sprintf("Trend %s: creators who adopted it, simulated (mean with 95%% band, every variant) vs the closed-form Bass curve.", tc),
				W:       stdW, H: stdH,
				Make: func() *plot.Plot {
					p := d.th.newPlot("Trend adoption: "+tl, "day (KPI days after warm-up)", "adopting creators (cumulative)")
					for i, v := range d.variants {
						if se := d.series(v, "trend_adopters:"+id); se != nil {
							addBandLine(p, se, colorAt(i), d.vlabels[i]+" (simulated)")
						}
					}
					if se := d.series(base, "trend_bass:"+id); se != nil {
						var pts plotter.XYs
						for i, day := range se.Day {
							if finite(se.Mean[i]) {
								pts = append(pts, plotter.XY{X: float64(day), Y: se.Mean[i]})
							}
						}
						if l, err := plotter.NewLine(pts); err == nil {
							l.Color = color.Black
							l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
							l.Width = vg.Points(1.5)
							p.Add(l)
							p.Legend.Add("Bass curve (closed form)", l)
						}
					}
					return p
				},
			})
		}
		for _, kind := range []struct{ key, title, unit string }{
			{"trend_submissions:", "submissions", "submissions per day"},
			{"trend_plays:", "plays", "plays per day"},
		} {
			kind := kind
			if d.series(base, kind.key+id) == nil {
				continue
			}
			specs = append(specs, plotSpec{
				Name:    "trend_" + stem + "_" + kind.title,
				Caption: fmt.Sprintf("Trend %s: %s, mean with 95%% band, every variant.", tc, kind.unit),
				W:       stdW, H: stdH,
				Make: func() *plot.Plot {
					p := d.th.newPlot(fmt.Sprintf("Trend %s: %s", kind.title, tl), "day (KPI days after warm-up)", kind.unit)
					for i, v := range d.variants {
						if se := d.series(v, kind.key+id); se != nil {
							addBandLine(p, se, colorAt(i), d.vlabels[i])
						}
					}
					return p
				},
			})
		}
	}
	return specs
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (d *plotData) campaignPlots() []plotSpec {
	type key struct{ campaign, metric string }
	var order []key
	for _, w := range d.s.CampaignWindows {
		k := key{w.Campaign, w.Metric}
		if !containsKey(order, k) {
			order = append(order, k)
		}
	}
	var specs []plotSpec
	campIdx := map[string]int{}
	for _, k := range order {
		k := k
		if _, ok := campIdx[k.campaign]; !ok {
			campIdx[k.campaign] = len(campIdx) + 1
		}
		ci := campIdx[k.campaign]
		cl := d.nameLabel(nameCampaign, k.campaign, fmt.Sprintf("campaign %d", ci))
		cc := d.display(nameCampaign, k.campaign)
		label := d.metricLabel(k.metric)
		var win [2]int
		for _, w := range d.s.CampaignWindows {
			if w.Campaign == k.campaign {
				win = w.Window
			}
		}
		specs = append(specs, plotSpec{
			Name:    fmt.Sprintf("campaign_%s_%s", fileStem(k.campaign, fmt.Sprintf("%d", ci)), k.metric),
			Caption: fmt.Sprintf("Campaign %s (days %d–%d): mean daily %s inside vs outside its window, every variant, with 95%% CIs.", cc, win[0], win[1], label),
			W:       smallW + vg.Inch, H: stdH,
			Make: func() *plot.Plot {
				p := d.th.newPlot(fmt.Sprintf("Campaign window effect: %s", cl), "variant", fmt.Sprintf("%s (%s per day)", label, d.unit(k.metric)))
				in := make([][3]float64, len(d.variants))
				out := make([][3]float64, len(d.variants))
				for vi, v := range d.variants {
					in[vi] = [3]float64{math.NaN(), math.NaN(), math.NaN()}
					out[vi] = in[vi]
					for _, w := range d.s.CampaignWindows {
						if w.Variant == v && w.Campaign == k.campaign && w.Metric == k.metric {
							in[vi] = [3]float64{float64(w.Inside.Mean), float64(w.Inside.CI95[0]), float64(w.Inside.CI95[1])}
							out[vi] = [3]float64{float64(w.Outside.Mean), float64(w.Outside.CI95[0]), float64(w.Outside.CI95[1])}
						}
					}
				}
				for si, side := range []struct {
					name string
					v    [][3]float64
				}{{"inside the window", in}, {"outside the window", out}} {
					b := &bars{Offset: -0.2 + 0.4*float64(si), Width: 0.36, Color: colorAt(si + 1)}
					for _, x := range side.v {
						b.Vals, b.Lo, b.Hi = append(b.Vals, x[0]), append(b.Lo, x[1]), append(b.Hi, x[2])
					}
					p.Add(b)
					p.Legend.Add(side.name, b)
				}
				nominal(p, d.vlabels)
				return p
			},
		})
	}
	return specs
}

func containsKey[K comparable](xs []K, k K) bool {
	for _, x := range xs {
		if x == k {
			return true
		}
	}
	return false
}

func (d *plotData) diffPlots() []plotSpec {
	var specs []plotSpec
	for vi, v := range d.s.Variants {
		var es []effect
		for _, m := range d.s.Metrics {
			df := v.VsBaseline[m.Name]
			dir := direction(df)
			es = append(es, effect{Label: d.th.label(m.Label, m.Name), Mean: float64(df.Pct.Mean),
				Lo: float64(df.Pct.CI95[0]), Hi: float64(df.Pct.CI95[1]),
				Clear: dir == Up || dir == Down, Better: judgement(m, dir) == "better"})
		}
		kept, dropped := topEffects(es, maxEffects)
		caption := fmt.Sprintf("%s vs %s: the %d largest paired differences in %% of the baseline mean, with 95%% CIs (common random numbers); green better, red worse, grey not clear.", d.vlabels[vi+1], d.vlabels[0], len(kept))
		if dropped > 0 {
			caption += fmt.Sprintf(" %d smaller ones are in the table.", dropped)
		}
		title := fmt.Sprintf("%s vs %s", d.vlabels[vi+1], d.vlabels[0])
		specs = append(specs, plotSpec{
			Name:    fmt.Sprintf("diff_%d_%s", vi+1, fileStem(v.Name, "variant")),
			Caption: caption,
			W:       wideW, H: effectsHeight(len(kept)),
			Make: func() *plot.Plot {
				return d.th.effectsChart(title, "change vs baseline (% of baseline mean)", kept)
			},
		})
	}
	return specs
}
