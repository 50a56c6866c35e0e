package briefing

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"slices"
	"strconv"

	"linli/internal/auth"
	"linli/internal/errs"
)

// chartSeries is one figure of the comparison chart: its value per region, this period and the last.
type chartSeries struct {
	Label string    `json:"label"`
	Now   []float64 `json:"now"`
	Prev  []float64 `json:"prev"`
}

// chartData is the comparison's count figures by region, for the page's chart and the exports';
// for a community, the hotline cases by category.
type chartData struct {
	Regions []string      `json:"regions"`
	Series  []chartSeries `json:"series"`
	// Axis names what the bars are grouped by: 区域, or 类别 for a community.
	Axis string `json:"-"`
	// Title is the chart's caption in the document.
	Title string `json:"-"`
}

// chart is the comparison as chart data: every count figure (rates left out) per region; nil
// for a briefing without comparison (a community's).
func (v *View) chart() *chartData {
	if v.Comparison == nil || len(v.Comparison.Rows) == 0 {
		return nil
	}
	c := &chartData{Axis: "区域", Title: "各区域主要指标对比"}
	for _, r := range v.Comparison.Rows {
		c.Regions = append(c.Regions, r.Name)
	}
	for i, col := range v.Comparison.Columns {
		if col.Rate {
			continue
		}
		cs := chartSeries{Label: col.Label}
		for _, r := range v.Comparison.Rows {
			cs.Now = append(cs.Now, v.Values[r.Now[i]].Value)
			cs.Prev = append(cs.Prev, v.Values[r.Prev[i]].Value)
		}
		c.Series = append(c.Series, cs)
	}
	if len(c.Series) == 0 {
		return nil
	}
	return c
}

// Chart draws a briefing's chart as a PNG (the print page's image): the comparison of a street or
// district, the hotline cases by category of a community; a briefing quoting neither has none.
func (s *Service) Chart(ctx context.Context, id int64) ([]byte, *View, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.chartOf(ctx, v)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		return nil, nil, errs.E(errs.NotFound, "该简报没有统计图")
	}
	b, _, _, err := c.png()
	return b, v, err
}

// chartOf is a briefing's chart: its comparison, or for a community the hotline cases of each
// category its text quotes (cases.hotline_handled category=…), this period beside the previous
// one — the previous value as quoted, else read like any figure.
func (s *Service) chartOf(ctx context.Context, v *View) (*chartData, error) {
	if v.Comparison != nil {
		return v.chart(), nil
	}
	prevFrom, prevTo := previous(v.From, v.To)
	var keys []string
	for _, ref := range v.Refs() {
		d, p, err := parseRef(ref, Params{RegionID: v.RegionID, From: v.From, To: v.To})
		if err == nil && d.Key == "cases.hotline_handled" && p.Filter != "" && p.RegionID == v.RegionID &&
			p.From == v.From && p.To == v.To && !slices.Contains(keys, p.Filter) {
			keys = append(keys, p.Filter)
		}
	}
	if len(keys) == 0 || s.src.Cases == nil {
		return nil, nil
	}
	cats, err := s.src.Cases.Categories(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, c := range cats {
		names[strconv.FormatInt(c.ID, 10)] = c.Name
	}
	c := &chartData{Axis: "类别", Title: "12345热线诉求办理件数（按类别）"}
	series := chartSeries{Label: "办理12345热线诉求（件）"}
	r := newResolver(s.src, auth.FromContext(ctx))
	base := Params{RegionID: v.RegionID, From: v.From, To: v.To}
	for _, k := range keys {
		now, ok := v.Values["cases.hotline_handled category="+k]
		if !ok {
			continue
		}
		prevRef := "cases.hotline_handled category=" + k + " from=" + prevFrom + " to=" + prevTo
		prev, ok := v.Values[prevRef]
		if !ok {
			if prev, err = r.resolve(ctx, prevRef, base); err != nil {
				return nil, err
			}
		}
		name := names[k]
		if name == "" {
			name = "类别" + k
		}
		c.Regions = append(c.Regions, name)
		series.Now = append(series.Now, now.Value)
		series.Prev = append(series.Prev, prev.Value)
	}
	if len(c.Regions) == 0 {
		return nil, nil
	}
	c.Series = []chartSeries{series}
	return c, nil
}

// The chart's colours: this period in the masthead's red, the previous period in grey.
var (
	colNow  = color.RGBA{0xC0, 0x00, 0x00, 0xFF}
	colPrev = color.RGBA{0xA6, 0xA6, 0xA6, 0xFF}
	colAxis = color.RGBA{0x40, 0x40, 0x40, 0xFF}
	colGrid = color.RGBA{0xE0, 0xE0, 0xE0, 0xFF}
	colText = color.RGBA{0x20, 0x20, 0x20, 0xFF}
)

// The chart's geometry in pixels: two panels a row (one alone takes the row), one panel per figure.
const (
	chartW      = 1600
	panelH      = 420
	panelPad    = 24
	plotLeft    = 110 // room for the scale's digits
	plotTop     = 70  // room for the panel's number
	plotBottom  = 60  // room for the regions' numbers
	chartPanels = 2
)

// png draws the chart as small multiples: one panel per figure, numbered 1…, with a pair of bars
// per region (this period red, the previous grey), the regions numbered 1… under the bars, the
// scale and each bar's value in digits. The standard library has no font and a CJK one would be
// a new dependency, so the image carries digits only; the document puts the legend (numbers to
// regions and figures) under it. It returns the PNG and its size.
func (c *chartData) png() ([]byte, int, int, error) {
	cols := min(len(c.Series), chartPanels)
	rows := (len(c.Series) + cols - 1) / cols
	h := rows*panelH + 2*panelPad
	img := image.NewRGBA(image.Rect(0, 0, chartW, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	pw := (chartW - 2*panelPad) / cols
	for i, s := range c.Series {
		x0 := panelPad + (i%cols)*pw
		y0 := panelPad + (i/cols)*panelH
		drawPanel(img, image.Rect(x0, y0, x0+pw, y0+panelH), i+1, s)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, 0, 0, err
	}
	return buf.Bytes(), chartW, h, nil
}

func drawPanel(img *image.RGBA, r image.Rectangle, number int, s chartSeries) {
	// The panel's number in a framed box at its top left.
	label := strconv.Itoa(number)
	box := image.Rect(r.Min.X+8, r.Min.Y+8, r.Min.X+8+textWidth(label, 6)+24, r.Min.Y+8+5*6+16)
	frame(img, box, colAxis, 3)
	drawText(img, box.Min.X+12, box.Min.Y+8, label, 6, colText)

	plot := image.Rect(r.Min.X+plotLeft, r.Min.Y+plotTop, r.Max.X-panelPad, r.Max.Y-plotBottom)
	top := niceMax(append(append([]float64{}, s.Now...), s.Prev...))
	// Grid lines at 0, ½ and the top of the scale, each with its value.
	for _, f := range []float64{0, 0.5, 1} {
		y := plot.Max.Y - int(math.Round(f*float64(plot.Dy())))
		fill(img, image.Rect(plot.Min.X, y, plot.Max.X, y+2), colGrid)
		t := formatNum(f * top)
		drawText(img, plot.Min.X-12-textWidth(t, 4), y-10, t, 4, colText)
	}
	fill(img, image.Rect(plot.Min.X-2, plot.Min.Y, plot.Min.X, plot.Max.Y+2), colAxis)
	fill(img, image.Rect(plot.Min.X-2, plot.Max.Y, plot.Max.X, plot.Max.Y+2), colAxis)

	n := len(s.Now)
	if n == 0 {
		return
	}
	gw := float64(plot.Dx()) / float64(n)
	bw := min(max(int(gw*0.34), 2), 90) // a street of one community keeps bars of a usual width
	scale := 3
	if gw < 60 {
		scale = 2
	}
	for i := 0; i < n; i++ {
		cx := plot.Min.X + int(gw*(float64(i)+0.5))
		for k, val := range []float64{s.Now[i], prevAt(s.Prev, i)} {
			col, x := colNow, cx-bw-1
			if k == 1 {
				col, x = colPrev, cx+1
			}
			bh := int(math.Round(val / top * float64(plot.Dy())))
			fill(img, image.Rect(x, plot.Max.Y-bh, x+bw, plot.Max.Y), col)
			if t := formatNum(val); textWidth(t, scale) <= bw+8 {
				drawText(img, x+(bw-textWidth(t, scale))/2, plot.Max.Y-bh-5*scale-6, t, scale, colText)
			}
		}
		t := strconv.Itoa(i + 1)
		ls := 4
		if textWidth(t, ls) > int(gw)-4 {
			ls = 2
		}
		drawText(img, cx-textWidth(t, ls)/2, plot.Max.Y+14, t, ls, colText)
	}
}

func prevAt(prev []float64, i int) float64 {
	if i < len(prev) {
		return prev[i]
	}
	return 0
}

// niceMax is the top of a scale holding every value: an even number times a power of ten, so
// that the half-way line of a count is a whole number.
func niceMax(vals []float64) float64 {
	m := 0.0
	for _, v := range vals {
		m = math.Max(m, v)
	}
	if m <= 2 {
		return 2
	}
	p := math.Pow(10, math.Floor(math.Log10(m)))
	for _, f := range []float64{1, 2, 4, 6, 8, 10} {
		if f*p >= m {
			return f * p
		}
	}
	return 10 * p
}

func formatNum(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r.Intersect(img.Bounds()), &image.Uniform{c}, image.Point{}, draw.Src)
}

func frame(img *image.RGBA, r image.Rectangle, c color.Color, w int) {
	fill(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), c)
	fill(img, image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), c)
	fill(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), c)
	fill(img, image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), c)
}

// glyphs are digits on a 3×5 grid, a row per byte, the leftmost cell the highest of three bits.
var glyphs = map[rune][5]uint8{
	'0': {7, 5, 5, 5, 7}, '1': {2, 6, 2, 2, 7}, '2': {7, 1, 7, 4, 7}, '3': {7, 1, 7, 1, 7},
	'4': {5, 5, 7, 1, 1}, '5': {7, 4, 7, 1, 7}, '6': {7, 4, 7, 5, 7}, '7': {7, 1, 1, 1, 1},
	'8': {7, 5, 7, 5, 7}, '9': {7, 5, 7, 1, 7}, '.': {0, 0, 0, 0, 2}, '-': {0, 0, 7, 0, 0},
}

// textWidth is the width of digits drawn at a scale (pixels a grid cell), a cell between them.
func textWidth(s string, scale int) int {
	n := len([]rune(s))
	if n == 0 {
		return 0
	}
	return (4*n - 1) * scale
}

// drawText draws digits with their top left at x, y.
func drawText(img *image.RGBA, x, y int, s string, scale int, c color.Color) {
	for _, ch := range s {
		g := glyphs[ch]
		for row := 0; row < 5; row++ {
			for col := 0; col < 3; col++ {
				if g[row]&(4>>col) != 0 {
					fill(img, image.Rect(x+col*scale, y+row*scale, x+(col+1)*scale, y+(row+1)*scale), c)
				}
			}
		}
		x += 4 * scale
	}
}
