package briefing

import (
	"bytes"
	"image/png"
	"testing"
)

func TestTheComparisonChartIsAPNGWithAPanelPerFigure(t *testing.T) {
	c := &chartData{Axis: "区域", Regions: []string{"南关社区", "北关社区", "东关社区"},
		Series: []chartSeries{
			{Label: "热线诉求办理", Now: []float64{153, 40, 0}, Prev: []float64{120, 52, 3}},
			{Label: "办实事", Now: []float64{68, 4, 2}, Prev: []float64{50, 3, 1}},
			{Label: "调解协议", Now: []float64{78, 10, 5}, Prev: []float64{70, 8, 5}},
		}}
	b, w, h, err := c.png()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if img.Bounds().Dx() != w || img.Bounds().Dy() != h || h != 2*panelH+2*panelPad {
		t.Errorf("three figures drawn %dx%d (said %dx%d), want two rows of panels", img.Bounds().Dx(), img.Bounds().Dy(), w, h)
	}
	// The tallest bar (南关's 153 this period) is in the masthead's red.
	reds := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r>>8 == 0xC0 && g == 0 && bl == 0 {
				reds++
			}
		}
	}
	if reds == 0 {
		t.Error("no bar of this period in the chart")
	}
	if got := c.legend(); len(got) != 4 || got[0][1] != "区域" || got[1][1] != "南关社区" || got[3][3] != "调解协议" {
		t.Errorf("legend %v", got)
	}
	for m, want := range map[float64]float64{0: 2, 1: 2, 4: 4, 5: 6, 68: 80, 153: 200, 1000: 1000} {
		if got := niceMax([]float64{m}); got != want {
			t.Errorf("niceMax(%v) = %v, want %v", m, got, want)
		}
	}
}
