package dashboard

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Chart geometry: the SVG viewBox and the margins left for axis labels.
const (
	chartW, chartH = 560, 200
	chartLeft      = 70 // y tick labels and the y axis title
	chartRight     = 16 //
	chartTop       = 14 //
	chartBottom    = 44 // x tick labels and the x axis title
	chartInnerW    = chartW - chartLeft - chartRight
	chartInnerH    = chartH - chartTop - chartBottom
	chartBaseY     = chartH - chartBottom // y of the x axis
)

// chart is one inline SVG chart as the page template draws it: a line
// over time (Points) or bars by category (Bars), with labelled axes.
type chart struct {
	ID     string // the figure's id attribute
	Title  string
	YTitle string // what the y axis measures, with its unit
	XTitle string
	Points string // "x,y …" in viewBox coordinates; empty for bars
	Bars   []bar
	Cap    *capLine // a horizontal reference line (bars only)
	YTicks []tick
	XTicks []tick
	Empty  string // shown instead of data while there is none
	W, H   int
	Left   int
	Right  int // x of the plot area's right edge
	Top    int
	Base   int // y of the x axis
	Mid    int // y of the middle of the plot area (for the y title)
}

type tick struct {
	X, Y   int
	Label  string
	Anchor string // text-anchor of an x tick: the ends stay inside the chart
}

type bar struct {
	X, Y, W, H int
	Label      string // under the bar
	Value      string // above it
	LX, VY     int    // label x (centre), value y
}

type capLine struct {
	Y     int
	Label string
}

func newChart(id, title, ytitle, xtitle string) chart {
	return chart{ID: id, Title: title, YTitle: ytitle, XTitle: xtitle, W: chartW, H: chartH,
		Left: chartLeft, Right: chartW - chartRight, Top: chartTop, Base: chartBaseY, Mid: chartTop + chartInnerH/2}
}

// yTicks labels 0, half and the top of the y axis.
func (c *chart) yTicks(top float64, format func(float64) string) {
	c.YTicks = []tick{{Y: chartBaseY, Label: format(0)}, {Y: chartBaseY - chartInnerH/2, Label: format(top / 2)},
		{Y: chartTop, Label: format(top)}}
}

// lineChart plots pts over time, oldest at the left, the y axis from 0 to
// the largest value. With fewer than two points it says so instead.
func lineChart(id, title, ytitle string, pts []point, format func(float64) string) chart {
	c := newChart(id, title, ytitle, "time (UTC)")
	if len(pts) < 2 {
		c.Empty = "collecting samples: a point every " + rateEvery.String()
		return c
	}
	top := 0.0
	for _, p := range pts {
		top = max(top, p.V)
	}
	if top == 0 {
		top = 1 // a flat line at 0 on a 0..1 axis, not a division by zero
	}
	first, last := pts[0].At, pts[len(pts)-1].At
	span := last.Sub(first)
	xOf := func(t time.Time) float64 {
		return chartLeft + chartInnerW*float64(t.Sub(first))/float64(max(span, 1))
	}
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", xOf(p.At), chartBaseY-chartInnerH*p.V/top)
	}
	c.Points = b.String()
	c.yTicks(top, format)
	for i, t := range []time.Time{first, first.Add(span / 2), last} {
		c.XTicks = append(c.XTicks, tick{X: int(xOf(t)), Label: t.UTC().Format("15:04:05"),
			Anchor: []string{"start", "middle", "end"}[i]})
	}
	return c
}

// category is one bar's label and value.
type category struct {
	Label string
	V     float64
}

// barChart draws one bar per category, with an optional reference line
// at ref (ref < 0: none), labelled refLabel.
func barChart(id, title, ytitle, xtitle string, cats []category, ref float64, refLabel string, format func(float64) string) chart {
	c := newChart(id, title, ytitle, xtitle)
	if len(cats) == 0 {
		c.Empty = "nothing yet"
		return c
	}
	top := max(ref, 0)
	for _, k := range cats {
		top = max(top, k.V)
	}
	if top == 0 {
		top = 1
	}
	slot := chartInnerW / len(cats)
	w := max(min(slot*2/3, 60), 2)
	for i, k := range cats {
		h := int(chartInnerH * k.V / top)
		x := chartLeft + i*slot + (slot-w)/2
		c.Bars = append(c.Bars, bar{X: x, Y: chartBaseY - h, W: w, H: h, Label: k.Label, Value: format(k.V),
			LX: x + w/2, VY: chartBaseY - h - 3})
	}
	if ref >= 0 {
		c.Cap = &capLine{Y: chartBaseY - int(chartInnerH*ref/top), Label: refLabel + " " + format(ref)}
	}
	c.yTicks(top, format)
	return c
}

// count formats a number of things; perUnit a rate with one decimal.
func count(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

func perUnit(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// dayLabel names a UTC day on an x axis.
func dayLabel(t time.Time) string { return t.UTC().Format("Jan 02") }

// humanBytes prints a byte count with a binary unit.
func humanBytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", v)
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}
