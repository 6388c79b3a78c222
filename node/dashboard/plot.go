package dashboard

import (
	"fmt"
	"strings"
	"time"
)

// Plot geometry: the SVG viewBox and the margin left for axis labels.
const (
	plotW, plotH = 560, 160
	plotLeft     = 64
	plotBottom   = 20
)

// plot is one inline SVG line chart, as the page template draws it.
type plot struct {
	Title  string
	Points string // "x,y x,y …" in viewBox coordinates
	Max    string // label of the top of the y axis
	Span   string // label of the x axis: how far back it reaches
	W, H   int
	Left   int
	Bottom int // y of the x axis
}

// newPlot charts value over the samples, oldest at the left. format
// labels the y axis.
func newPlot(title string, samples []Traffic, value func(Traffic) float64, format func(float64) string) plot {
	p := plot{Title: title, W: plotW, H: plotH, Left: plotLeft, Bottom: plotH - plotBottom}
	if len(samples) == 0 {
		return p
	}
	top := 0.0
	for _, s := range samples {
		top = max(top, value(s))
	}
	first, last := samples[0].At, samples[len(samples)-1].At
	span := last.Sub(first)
	var pts []string
	for _, s := range samples {
		x := float64(plotLeft)
		if span > 0 {
			x += float64(plotW-plotLeft-8) * float64(s.At.Sub(first)) / float64(span)
		}
		y := float64(p.Bottom)
		if top > 0 {
			y -= float64(p.Bottom-10) * value(s) / top
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
	}
	p.Points = strings.Join(pts, " ")
	p.Max = format(top)
	p.Span = "last " + span.Round(time.Second).String()
	return p
}

// trafficPlots are the page's charts: bytes relayed for others, and the
// circuits of others relayed through this node.
func trafficPlots(samples []Traffic) []plot {
	bytes := newPlot("bytes relayed for others", samples,
		func(t Traffic) float64 { return float64(t.RelayedBytes) }, humanBytes)
	relaying := newPlot("circuits of others relayed through this node", samples,
		func(t Traffic) float64 { return float64(t.Relaying) }, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	return []plot{bytes, relaying}
}

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
