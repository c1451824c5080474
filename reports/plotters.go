package reports

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is the Okabe–Ito colour-blind-safe palette.
var palette = []color.RGBA{
	{0, 114, 178, 255},   // blue
	{230, 159, 0, 255},   // orange
	{0, 158, 115, 255},   // green
	{204, 121, 167, 255}, // purple
	{86, 180, 233, 255},  // sky
	{213, 94, 0, 255},    // vermillion
	{240, 228, 66, 255},  // yellow
	{0, 0, 0, 255},       // black
}

func colorAt(i int) color.RGBA { return palette[i%len(palette)] }

func withAlpha(c color.RGBA, a uint8) color.NRGBA {
	return color.NRGBA{c.R, c.G, c.B, a}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// bars is one series of a grouped bar chart: bar i stands at x = i + Offset,
// with an optional 95% CI whisker from Lo[i] to Hi[i].
type bars struct {
	Vals, Lo, Hi []float64
	Offset       float64
	Width        float64 // in data units
	Color        color.Color
}

func (b *bars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, v := range b.Vals {
		if !finite(v) {
			continue
		}
		x := float64(i) + b.Offset
		x0, x1 := trX(x-b.Width/2), trX(x+b.Width/2)
		y0, y1 := trY(0), trY(v)
		if y0 > y1 {
			y0, y1 = y1, y0
		}
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.Color, c.ClipPolygonXY(pts))
		if b.Lo != nil && finite(b.Lo[i]) && finite(b.Hi[i]) {
			whisker(c, trX(x), trY(b.Lo[i]), trY(b.Hi[i]), (x1-x0)/4)
		}
	}
}

func whisker(c draw.Canvas, x, lo, hi, cap vg.Length) {
	ls := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
	c.StrokeLines(ls, c.ClipLinesXY([]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}})...)
	c.StrokeLines(ls, c.ClipLinesXY([]vg.Point{{X: x - cap, Y: lo}, {X: x + cap, Y: lo}})...)
	c.StrokeLines(ls, c.ClipLinesXY([]vg.Point{{X: x - cap, Y: hi}, {X: x + cap, Y: hi}})...)
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = -0.5, float64(len(b.Vals))-0.5
	ymin, ymax = 0, 0
	for i, v := range b.Vals {
		for _, y := range []float64{v, at(b.Lo, i), at(b.Hi, i)} {
			if finite(y) {
				ymin, ymax = math.Min(ymin, y), math.Max(ymax, y)
			}
		}
	}
	return
}

func (b *bars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(b.Color, c.ClipPolygonY(pts))
}

func at(xs []float64, i int) float64 {
	if i < len(xs) {
		return xs[i]
	}
	return math.NaN()
}

// ciPoints draws estimates as dots at x = i + Offset with 95% CI whiskers.
type ciPoints struct {
	Vals, Lo, Hi []float64
	Offset       float64
	Color        color.Color
}

func (p *ciPoints) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, v := range p.Vals {
		if !finite(v) {
			continue
		}
		x := trX(float64(i) + p.Offset)
		if finite(at(p.Lo, i)) && finite(at(p.Hi, i)) {
			whisker(c, x, trY(p.Lo[i]), trY(p.Hi[i]), vg.Points(4))
		}
		gs := draw.GlyphStyle{Color: p.Color, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
		if c.Contains(vg.Point{X: x, Y: trY(v)}) {
			c.DrawGlyph(gs, vg.Point{X: x, Y: trY(v)})
		}
	}
}

func (p *ciPoints) DataRange() (xmin, xmax, ymin, ymax float64) {
	b := bars{Vals: p.Vals, Lo: p.Lo, Hi: p.Hi}
	return b.DataRange()
}

func (p *ciPoints) Thumbnail(c *draw.Canvas) {
	gs := draw.GlyphStyle{Color: p.Color, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
	c.DrawGlyph(gs, c.Center())
}

// quartileBoxes draws box plots from summaries: box Q1–Q3, a line at the
// median, whiskers to the minimum and maximum.
type quartileBoxes struct {
	Stats []DistStat
	Color color.Color
}

func (q *quartileBoxes) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	ls := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
	for i, s := range q.Stats {
		if s.N == 0 {
			continue
		}
		x := float64(i)
		x0, x1, xm := trX(x-0.3), trX(x+0.3), trX(x)
		q1, q3, med := trY(float64(s.Q1)), trY(float64(s.Q3)), trY(float64(s.Median))
		pts := []vg.Point{{X: x0, Y: q1}, {X: x1, Y: q1}, {X: x1, Y: q3}, {X: x0, Y: q3}}
		c.FillPolygon(q.Color, c.ClipPolygonXY(pts))
		c.StrokeLines(ls, c.ClipLinesXY(append(pts, pts[0]))...)
		c.StrokeLines(draw.LineStyle{Color: color.Black, Width: vg.Points(2)}, c.ClipLinesXY([]vg.Point{{X: x0, Y: med}, {X: x1, Y: med}})...)
		whisker(c, xm, trY(float64(s.Min)), q1, (x1-x0)/4)
		whisker(c, xm, q3, trY(float64(s.Max)), (x1-x0)/4)
		gs := draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2.5), Shape: draw.CrossGlyph{}}
		if p := (vg.Point{X: xm, Y: trY(float64(s.Mean))}); c.Contains(p) {
			c.DrawGlyph(gs, p)
		}
	}
}

func (q *quartileBoxes) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = -0.5, float64(len(q.Stats))-0.5
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for _, s := range q.Stats {
		if s.N > 0 {
			ymin, ymax = math.Min(ymin, float64(s.Min)), math.Max(ymax, float64(s.Max))
		}
	}
	if ymin > ymax {
		ymin, ymax = 0, 1
	}
	return
}

func (q *quartileBoxes) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(q.Color, c.ClipPolygonY(pts))
}
