package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// effect is one KPI's change in an effects chart: a mean with its 95% CI,
// in % of a reference mean.
type effect struct {
	Label         string
	Mean, Lo, Hi  float64
	Clear, Better bool // CI excludes 0; the change is good for the KPI
}

// topEffects keeps the defined effects, sorted by size (largest |mean|
// first, clear ones before unclear ones of the same size), at most n.
func topEffects(es []effect, n int) (kept []effect, dropped int) {
	for _, e := range es {
		if finite(e.Mean) {
			kept = append(kept, e)
		}
	}
	slices.SortStableFunc(kept, func(a, b effect) int {
		if a.Clear != b.Clear {
			if a.Clear {
				return -1
			}
			return 1
		}
		return cmp.Compare(math.Abs(b.Mean), math.Abs(a.Mean))
	})
	if len(kept) > n {
		dropped = len(kept) - n
		kept = kept[:n]
	}
	return kept, dropped
}

// maxEffects is how many KPIs an effects chart shows.
const maxEffects = 15

// effectsHeight is the height of an effects chart of n rows.
func effectsHeight(n int) vg.Length {
	return vg.Inch*1.3 + vg.Points(22)*vg.Length(max(n, 3))
}

// effectsChart draws effects as horizontal bars, the largest at the top,
// with 95% CI whiskers and a zero line; green for a clear improvement, red
// for a clear deterioration, grey when the CI includes 0. Labels read
// horizontally on the y axis.
func (th *theme) effectsChart(title, xLabel string, es []effect) *plot.Plot {
	p := th.newPlot(title, xLabel, "")
	p.Legend.Top, p.Legend.Left = false, false
	n := len(es)
	labels := make([]string, n)
	hb := &effectBars{}
	for i, e := range es {
		row := n - 1 - i // largest at the top
		labels[row] = e.Label
		c := color.RGBA{R: 150, G: 150, B: 150, A: 255}
		if e.Clear && e.Better {
			c = color.RGBA{R: 26, G: 133, B: 60, A: 255}
		} else if e.Clear {
			c = color.RGBA{R: 200, G: 40, B: 40, A: 255}
		}
		hb.rows = append(hb.rows, effectBar{Y: float64(row), Mean: e.Mean, Lo: e.Lo, Hi: e.Hi, Color: c})
	}
	p.Add(hb)
	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.X.Tick.Marker = pctTicks{}
	xmin, xmax, _, _ := hb.DataRange()
	pad := 0.05 * math.Max(xmax-xmin, 1)
	p.X.Min, p.X.Max = math.Min(xmin, 0)-pad, math.Max(xmax, 0)+pad
	if n == 0 {
		p.Title.Text += " (no defined difference)"
	}
	return p
}

// pctTicks are round ticks labelled as signed percentages.
type pctTicks struct{}

func (pctTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			v := ts[i].Value
			switch {
			case v == 0:
				ts[i].Label = "0%"
			case math.Abs(v) >= 10 || v == math.Trunc(v):
				ts[i].Label = fmt.Sprintf("%+.0f%%", v)
			default:
				ts[i].Label = fmt.Sprintf("%+.1f%%", v)
			}
		}
	}
	return ts
}

type effectBar struct {
	Y, Mean, Lo, Hi float64
	Color           color.Color
}

// effectBars draws horizontal bars from 0 to Mean at each row Y, with CI
// whiskers and a vertical zero line.
type effectBars struct{ rows []effectBar }

func (h *effectBars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	half := vg.Points(7)
	for _, r := range h.rows {
		y := trY(r.Y)
		x0, x1 := trX(0), trX(r.Mean)
		if x1 < x0 {
			x0, x1 = x1, x0
		}
		c.FillPolygon(withAlpha(toRGBA(r.Color), 200), []vg.Point{{X: x0, Y: y - half}, {X: x1, Y: y - half}, {X: x1, Y: y + half}, {X: x0, Y: y + half}})
		if finite(r.Lo) && finite(r.Hi) {
			ls := draw.LineStyle{Color: color.Gray{Y: 40}, Width: vg.Points(1.2)}
			lo, hi := trX(r.Lo), trX(r.Hi)
			c.StrokeLine2(ls, lo, y, hi, y)
			c.StrokeLine2(ls, lo, y-half/2, lo, y+half/2)
			c.StrokeLine2(ls, hi, y-half/2, hi, y+half/2)
		}
	}
	zs := draw.LineStyle{Color: color.Gray{Y: 20}, Width: vg.Points(1.3)}
	x := trX(0)
	c.StrokeLine2(zs, x, c.Min.Y, x, c.Max.Y)
}

func (h *effectBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, r := range h.rows {
		for _, v := range []float64{r.Mean, r.Lo, r.Hi} {
			if finite(v) {
				xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
			}
		}
	}
	if math.IsInf(xmin, 1) {
		xmin, xmax = -1, 1
	}
	return xmin, xmax, -0.5, float64(len(h.rows)) - 0.5
}

func toRGBA(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(a >> 8)}
}

// eventWindow is a day range to shade on a time series (a campaign's
// window), with its label.
type eventWindow struct {
	From, To float64
	Label    string
}

// windowShade shades event windows over the whole height of a plot, behind
// the series, with the label at the top. It has no data range of its own,
// so it never stretches an axis.
type windowShade struct {
	Windows []eventWindow
	th      *theme
}

func (w *windowShade) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	for _, ev := range w.Windows {
		x0, x1 := trX(ev.From-0.5), trX(ev.To+0.5)
		x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
		if x1 <= x0 {
			continue
		}
		c.FillPolygon(color.NRGBA{R: 240, G: 180, B: 0, A: 40}, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		if ev.Label != "" && w.th != nil {
			sty := draw.TextStyle{Color: color.Gray{Y: 90}, Font: plt.Legend.TextStyle.Font, Handler: plt.Legend.TextStyle.Handler, XAlign: draw.XLeft, YAlign: draw.YTop}
			c.FillText(sty, vg.Point{X: x0 + vg.Points(3), Y: c.Max.Y - vg.Points(3)}, ev.Label)
		}
	}
}

// campaignWindows lists each campaign's window once, for shading.
func (d *plotData) eventWindows() []eventWindow {
	var out []eventWindow
	seen := map[string]bool{}
	for i, w := range d.s.CampaignWindows {
		if seen[w.Campaign] {
			continue
		}
		seen[w.Campaign] = true
		out = append(out, eventWindow{From: float64(w.Window[0]), To: float64(w.Window[1]),
			Label: d.nameLabel(nameCampaign, w.Campaign, fmt.Sprintf("campaign %d", i+1))})
	}
	return out
}
