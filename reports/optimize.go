package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/strategy"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WriteOptimize draws the optimisation plots into dir/plots
// (optimize_convergence, optimize_allocation, optimize_frontier,
// optimize_candidates; .png and .svg) from an strategy.Outcome and adds an
// "Optimisation" section with them to dir's report.md and report.html
// (right after the noise note, so the decision is on the first screen), so the reports of a run directory
// written by `startrend optimize` show the decision, its evidence and the
// plots.
func WriteOptimize(dir string, out *strategy.Outcome, opt ReportOptions) error {
	th, err := newTheme(opt.Font)
	if err != nil {
		return err
	}
	specs := optimizePlots(th, out)
	if err := renderPlots(dir, specs, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	figs := make([]figure, len(specs))
	for i, s := range specs {
		figs[i] = figure{Name: s.Name, Caption: s.Caption, W: int(s.W.Dots(plotDPI) + 0.5), H: int(s.H.Dots(plotDPI) + 0.5)}
	}
	if err := insertSection(filepath.Join(dir, ReportMDFile), sectionsMarkerMD, optimizeMarkdown(out, figs)); err != nil {
		return err
	}
	h, err := optimizeHTML(out, figs)
	if err != nil {
		return err
	}
	return insertSection(filepath.Join(dir, ReportHTMLFile), sectionsMarkerHTML, h)
}

// insertSection puts section before the first marker in file (at the end
// when the marker is missing).
func insertSection(file, marker string, section []byte) error {
	b, err := safeio.ReadRegular(file, safeio.RunFileLimit, "report")
	if err != nil {
		return err
	}
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		i = len(b)
	}
	var nb bytes.Buffer
	nb.Write(b[:i])
	nb.Write(section)
	nb.Write(b[i:])
	return os.WriteFile(file, nb.Bytes(), 0o644)
}

func statText(s strategy.Stat) string {
	if !finite(float64(s.Mean)) {
		return "n/a"
	}
	if !finite(float64(s.CILo)) {
		return human(float64(s.Mean))
	}
	return fmt.Sprintf("%s [%s, %s]", human(float64(s.Mean)), human(float64(s.CILo)), human(float64(s.CIHi)))
}

func pairedText(p *strategy.Paired) string {
	if p == nil {
		return "n/a"
	}
	sep := "not separated from noise"
	if p.Better {
		sep = "separated"
	}
	return fmt.Sprintf("%s [%s, %s] over %d paired replications (%s)", humanSigned(float64(p.Mean)), humanSigned(float64(p.CILo)), humanSigned(float64(p.CIHi)), p.N, sep)
}

// optimizeRows are the candidates shown in the tables: the winner, then
// the runners-up.
func optimizeRows(out *strategy.Outcome) []strategy.Candidate {
	var rows []strategy.Candidate
	if out.Best != nil {
		rows = append(rows, *out.Best)
	}
	return append(rows, out.RunnersUp...)
}

func optimizeMarkdown(out *strategy.Outcome, figs []figure) []byte {
	var b bytes.Buffer
	b.WriteString("## Optimisation\n\n")
	if !out.Complete {
		b.WriteString("**Partial result: the optimisation was interrupted (`\"complete\": false`).**\n\n")
	}
	fmt.Fprintf(&b, "Merchant `%s`, objective **%s** (%s), method %s, %d of %d simulator runs, %d replications per candidate, race confidence %g.\n\n",
		mdEscape(out.Merchant), out.Objective, map[bool]string{true: "maximised", false: "minimised"}[out.Maximize], out.Method, out.EvalsUsed, out.Evals, out.Replications, out.Confidence)
	fmt.Fprintf(&b, "**Verdict:** %s.\n\n", mdEscape(out.Verdict))
	if flags := optimizeFlags(out); len(flags) > 0 {
		b.WriteString("**Flags:**\n\n")
		for _, f := range flags {
			fmt.Fprintf(&b, "- ⚑ %s\n", mdEscape(f))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "- vs baseline (the scenario's own strategy): %s\n", pairedText(out.VsBaseline))
	fmt.Fprintf(&b, "- vs runner-up: %s\n", pairedText(out.VsRunnerUp))
	if out.VsRandom != nil {
		fmt.Fprintf(&b, "- vs random search at equal budget: %s\n", pairedText(out.VsRandom))
	}
	if sel := out.Selection; sel != nil {
		fmt.Fprintf(&b, "- selection: decided = %t; P(decided and wrong) ≤ %.3g over %d looks, each paired interval at %.5g; differences below about %s are not resolved by this budget\n",
			out.Decided, 1-float64(sel.PCS), sel.Looks, float64(sel.Level), human(float64(sel.Detectable)))
	}
	b.WriteString("\n| decision | as written |")
	rows := optimizeRows(out)
	for _, c := range rows {
		fmt.Fprintf(&b, " %s |", mdEscape(c.Label))
	}
	b.WriteString("\n|---|---:|")
	for range rows {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, d := range out.Decisions {
		fmt.Fprintf(&b, "| %s | %s |", mdEscape(d.Label), human(d.Baseline))
		for _, c := range rows {
			fmt.Fprintf(&b, " %s |", human(c.Decision[d.Path]))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "| **%s** | |", objectiveRowLabel(out))
	for _, c := range rows {
		fmt.Fprintf(&b, " %s |", statText(c.Value))
	}
	b.WriteString("\n")
	for _, k := range optimizeKPIs {
		fmt.Fprintf(&b, "| %s | |", mdEscape(optimizeKPILabel(k, out.Merchant)))
		for _, c := range rows {
			fmt.Fprintf(&b, " %s |", statText(c.KPIs[k]))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if len(out.Frontier) > 0 {
		b.WriteString("Efficient frontier (best objective found at each total budget, race mean [CI]):\n\n| budget | objective | cost |\n|---:|---:|---:|\n")
		for _, f := range out.Frontier {
			if f.Error != "" {
				fmt.Fprintf(&b, "| %s | %s | |\n", human(float64(f.Level)), mdEscape(f.Error))
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", human(float64(f.Level)), statText(f.Value), human(float64(f.Cost)))
		}
		b.WriteString("\n")
	}
	for _, f := range figs {
		fmt.Fprintf(&b, "![%s](%s/%s.png)\n\n", mdEscape(f.Caption), PlotsDir, f.Name)
	}
	return b.Bytes()
}

var optimizeTemplate = template.Must(template.New("opt").Parse(`<h2 id="optimisation">Optimisation</h2>
{{if not .Complete}}<p class="warn">Partial result: the optimisation was interrupted ("complete": false).</p>{{end}}
<p>Merchant <code>{{.Merchant}}</code>, objective <strong>{{.Objective}}</strong>, method {{.Method}}, {{.Used}} of {{.Evals}} simulator runs.</p>
<p class="note" id="optimize-verdict">{{.Verdict}}</p>
{{if .Flags}}<ul class="warn" id="optimize-flags">{{range .Flags}}<li>⚑ {{.}}</li>{{end}}</ul>{{end}}
<ul><li>vs baseline: {{.VsBaseline}}</li><li>vs runner-up: {{.VsRunnerUp}}</li>{{if .VsRandom}}<li>vs random search: {{.VsRandom}}</li>{{end}}</ul>
<table id="optimize-candidates"><thead><tr><th>decision</th><th>as written</th>{{range .Labels}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr><td>{{index . 0}}</td>{{range $i, $c := .}}{{if $i}}<td>{{$c}}</td>{{end}}{{end}}</tr>
{{end}}</tbody></table>
{{range .Figures}}<figure id="fig-{{.Name}}"><img src="plots/{{.Name}}.png" width="{{.W}}" height="{{.H}}" alt="{{.Caption}}"><figcaption>{{.Caption}} <a href="plots/{{.Name}}.svg">SVG</a></figcaption></figure>
{{end}}`))

func optimizeHTML(out *strategy.Outcome, figs []figure) ([]byte, error) {
	rows := optimizeRows(out)
	var labels []string
	for _, c := range rows {
		labels = append(labels, c.Label)
	}
	var table [][]string
	for _, d := range out.Decisions {
		r := []string{d.Label, human(d.Baseline)}
		for _, c := range rows {
			r = append(r, human(c.Decision[d.Path]))
		}
		table = append(table, r)
	}
	r := []string{objectiveRowLabel(out), ""}
	for _, c := range rows {
		r = append(r, statText(c.Value))
	}
	table = append(table, r)
	for _, k := range optimizeKPIs {
		r := []string{optimizeKPILabel(k, out.Merchant), ""}
		for _, c := range rows {
			r = append(r, statText(c.KPIs[k]))
		}
		table = append(table, r)
	}
	data := map[string]any{
		"Complete": out.Complete, "Merchant": out.Merchant, "Objective": out.Objective, "Method": out.Method,
		"Used": out.EvalsUsed, "Evals": out.Evals, "Verdict": out.Verdict, "Flags": optimizeFlags(out),
		"VsBaseline": pairedText(out.VsBaseline), "VsRunnerUp": pairedText(out.VsRunnerUp), "VsRandom": "",
		"Labels": labels, "Rows": table, "Figures": figs,
	}
	if out.VsRandom != nil {
		data["VsRandom"] = pairedText(out.VsRandom)
	}
	var b bytes.Buffer
	if err := optimizeTemplate.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func optimizePlots(th *theme, out *strategy.Outcome) []plotSpec {
	var specs []plotSpec
	obj := out.Objective
	if out.Search != nil && len(out.Search.Convergence) > 0 {
		specs = append(specs, plotSpec{
			Name: "optimize_convergence", W: stdW, H: stdH,
			Caption: fmt.Sprintf("Best %s so far (one evaluation of %d replications, common random numbers per generation) against simulator runs, for the search%s; the baseline's race mean for reference.", obj, out.Replications, map[bool]string{true: " and random search at equal budget", false: ""}[out.Random != nil]),
			Make: func() *plot.Plot {
				p := th.newPlot("Convergence", "simulator runs", obj)
				addConv := func(pr *strategy.PhaseResult, c color.RGBA, label string) {
					pts := make(plotter.XYs, len(pr.Convergence))
					for i, cp := range pr.Convergence {
						pts[i].X, pts[i].Y = float64(cp.Runs), float64(cp.Best)
					}
					l, err := plotter.NewLine(pts)
					if err != nil {
						return
					}
					l.Color = c
					l.Width = vg.Points(2)
					p.Add(l)
					p.Legend.Add(label, l)
				}
				addConv(out.Search, colorAt(0), out.Method)
				if out.Random != nil && len(out.Random.Convergence) > 0 {
					addConv(out.Random, colorAt(1), "random search")
				}
				if out.Baseline != nil && finite(float64(out.Baseline.Value.Mean)) {
					xmax := float64(out.Search.Convergence[len(out.Search.Convergence)-1].Runs)
					l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: float64(out.Baseline.Value.Mean)}, {X: xmax, Y: float64(out.Baseline.Value.Mean)}})
					if err == nil {
						l.Color = color.RGBA{A: 255, R: 90, G: 90, B: 90}
						l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
						p.Add(l)
						p.Legend.Add("baseline (race mean)", l)
					}
				}
				return p
			},
		})
	}
	if out.Best != nil {
		groups, base, best := allocation(out)
		if len(groups) > 0 {
			specs = append(specs, plotSpec{
				Name: "optimize_allocation", W: stdW, H: stdH,
				Caption: "Money by creator type × tier × format and budget line (unit cost × value), baseline vs optimised.",
				Make: func() *plot.Plot {
					p := th.newPlot("Allocation", "", "money ("+"budget units)")
					for gi, g := range groups {
						sb := &stackSeg{Lo: []float64{stackBelow(base, groups, gi), stackBelow(best, groups, gi)},
							Hi: []float64{stackBelow(base, groups, gi) + base[g], stackBelow(best, groups, gi) + best[g]}, Color: colorAt(gi)}
						p.Add(sb)
						p.Legend.Add(th.label(g, fmt.Sprintf("group %d", gi+1)), sb)
					}
					nominal(p, []string{"baseline", "optimised"})
					p.Legend.Top, p.Legend.Left = true, false
					return p
				},
			})
		}
	}
	if len(out.Frontier) > 0 {
		specs = append(specs, plotSpec{
			Name: "optimize_frontier", W: stdW, H: stdH,
			Caption: fmt.Sprintf("Efficient frontier: best %s found at each total budget, with 95%% CIs (race replications).", obj),
			Make: func() *plot.Plot {
				p := th.newPlot("Efficient frontier", "total budget", obj)
				var vals, lo, hi []float64
				var names []string
				for _, f := range out.Frontier {
					names = append(names, human(float64(f.Level)))
					vals = append(vals, float64(f.Value.Mean))
					lo = append(lo, float64(f.Value.CILo))
					hi = append(hi, float64(f.Value.CIHi))
				}
				cp := &ciPoints{Vals: vals, Lo: lo, Hi: hi, Color: colorAt(0)}
				p.Add(cp)
				nominal(p, names)
				return p
			},
		})
	}
	if rows := optimizeRows(out); len(rows) > 1 {
		specs = append(specs, plotSpec{
			Name: "optimize_candidates", W: stdW, H: stdH,
			Caption: fmt.Sprintf("Raced candidates: %s (penalised objective) over common race replications, mean with 95%% CI; the winner first.", obj),
			Make: func() *plot.Plot {
				p := th.newPlot("Winner vs runners-up", "", obj)
				var vals, lo, hi []float64
				var names []string
				for _, c := range rows {
					names = append(names, c.Label)
					vals = append(vals, float64(c.Value.Mean))
					lo = append(lo, float64(c.Value.CILo))
					hi = append(hi, float64(c.Value.CIHi))
				}
				cp := &ciPoints{Vals: vals, Lo: lo, Hi: hi, Color: colorAt(0)}
				p.Add(cp)
				nominal(p, names)
				ymin, ymax := math.Inf(1), math.Inf(-1)
				for i := range vals {
					for _, v := range []float64{vals[i], lo[i], hi[i]} {
						if finite(v) {
							ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
						}
					}
				}
				if finite(ymin) && ymax > ymin {
					pad := (ymax - ymin) * 0.1
					p.Y.Min, p.Y.Max = ymin-pad, ymax+pad
				}
				return p
			},
		})
	}
	return specs
}

// allocation sums money (unit cost × value) per group for the baseline and
// the winner; without money decisions, the values themselves.
func allocation(out *strategy.Outcome) (groups []string, base, best map[string]float64) {
	base, best = map[string]float64{}, map[string]float64{}
	money := false
	for _, d := range out.Decisions {
		if d.UnitCost > 0 {
			money = true
		}
	}
	for _, d := range out.Decisions {
		w := d.UnitCost
		if !money {
			w = 1
		}
		if w == 0 {
			continue
		}
		if _, ok := base[d.Group]; !ok {
			groups = append(groups, d.Group)
		}
		base[d.Group] += w * d.Baseline
		best[d.Group] += w * out.Best.Decision[d.Path]
	}
	sort.SliceStable(groups, func(a, b int) bool { return strings.Contains(groups[a], "×") && !strings.Contains(groups[b], "×") })
	return groups, base, best
}

func stackBelow(m map[string]float64, groups []string, gi int) float64 {
	s := 0.0
	for _, g := range groups[:gi] {
		s += m[g]
	}
	return s
}

// stackSeg is one segment of stacked bars: bar i spans Lo[i]..Hi[i] at x = i.
type stackSeg struct {
	Lo, Hi []float64
	Color  color.Color
}

func (s *stackSeg) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i := range s.Lo {
		if !(s.Hi[i] > s.Lo[i]) {
			continue
		}
		x0, x1 := trX(float64(i)-0.3), trX(float64(i)+0.3)
		y0, y1 := trY(s.Lo[i]), trY(s.Hi[i])
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(s.Color, c.ClipPolygonXY(pts))
	}
}

func (s *stackSeg) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = -0.5, float64(len(s.Lo))-0.5
	for i := range s.Hi {
		ymax = math.Max(ymax, s.Hi[i])
	}
	return
}

func (s *stackSeg) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(s.Color, c.ClipPolygonY(pts))
}

// objectiveRowLabel names the candidates' objective row: what is
// maximised (or minimised), and, under min_roi, that a candidate below the
// ROI floor is penalised — so the row is not mistaken for the KPI row.
func objectiveRowLabel(out *strategy.Outcome) string {
	l := "objective: " + out.Objective
	if out.MinROI > 0 {
		l += fmt.Sprintf(", penalised below ROI %s (min_roi)", human(out.MinROI))
	}
	return l + " (race mean [CI])"
}

// optimizeKPIs are the KPI rows of the candidates table.
var optimizeKPIs = []string{"gmv", "profit", "spend", "roi", "new_customers"}

// merchantScoped are the candidates' KPIs that are the merchant's own: the
// engine breaks them down by merchant. Any other is the market's total,
// and its row says so.
var merchantScoped = map[string]bool{"gmv": true, "orders": true, "new_customers": true, "spend": true, "roi": true, "profit": true}

// optimizeKPILabel names a KPI row with its scope: "GMV (merchant
// glow_beauty)", "Margin (market total)".
func optimizeKPILabel(k, merchant string) string {
	label := map[string]string{"gmv": "GMV", "profit": "Profit", "spend": "Spend", "roi": "ROI", "new_customers": "New customers", "orders": "Orders"}[k]
	if label == "" {
		label = k
	}
	if merchantScoped[k] && merchant != "" {
		return label + " (merchant " + merchant + ")"
	}
	return label + " (market total)"
}
