package html

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

// chromium finds Debian's headless browser. CI installs it (make test-deps);
// elsewhere the browser tests skip without it, unless CI or
// BENCHCTL_REQUIRE_CHROMIUM is set.
func chromium(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if os.Getenv("CI") != "" || os.Getenv("BENCHCTL_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium not installed (apt-get install chromium)")
	}
	t.Skip("chromium not installed")
	return ""
}

// browse runs headless chromium on a file with extra flags and returns stdout.
func browse(t *testing.T, bin, file string, extra ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=5000",
	}, extra...)
	args = append(args, "file://"+file)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
	}
	return stdout.Bytes()
}

// expected is what a report should draw: per chart key ("memory/0/3" for the
// memory of GPU 0 of the third run) the buckets it holds, and the stage bands.
type expected struct {
	charts map[string]int
	stages int
	points int
}

// expect counts, from the report's data, the timeline charts and their points.
func expect(r *result.Report) expected {
	e := expected{charts: map[string]int{}}
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			for _, run := range c.Runs {
				if run.GPU == nil {
					continue
				}
				for _, g := range run.GPU.GPUs {
					for _, kind := range []struct{ name, metric string }{{"memory", result.MemUsed}, {"utilization", result.UtilGPU}} {
						n := 0
						for _, b := range g.Timeline {
							if _, ok := b.Max[kind.metric]; ok {
								n++
							}
						}
						if n > 0 {
							e.charts[kind.name+"/"+strconv.Itoa(g.Index)+"/"+strconv.Itoa(len(e.charts))] = n
							e.points += n
							e.stages += len(run.Stages)
						}
					}
				}
			}
		}
	}
	return e
}

var (
	svgRe  = regexp.MustCompile(`(?s)<svg\b([^>]*)>(.*?)</svg>`)
	attrRe = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9:-]*)="([^"]*)"`)
	metaRe = regexp.MustCompile(`<meta name="benchctl-rendered" content="([^"]*)"`)
)

// chartInDOM is one svg.chart of the DOM chromium dumped.
type chartInDOM struct {
	attrs        map[string]string
	pts, bars    int
	stages, peak int
}

func chartsInDOM(dom string) []chartInDOM {
	var out []chartInDOM
	for _, m := range svgRe.FindAllStringSubmatch(dom, -1) {
		c := chartInDOM{attrs: map[string]string{}}
		for _, a := range attrRe.FindAllStringSubmatch(m[1], -1) {
			c.attrs[a[1]] = a[2]
		}
		if c.attrs["class"] != "chart" {
			continue
		}
		c.pts = strings.Count(m[2], `class="pt"`)
		c.bars = strings.Count(m[2], `class="bar"`) + strings.Count(m[2], `class="bar slower"`)
		c.stages = strings.Count(m[2], `class="stage shade`)
		c.peak = strings.Count(m[2], `class="peak"`)
		out = append(out, c)
	}
	return out
}

// TestBrowser renders the fixture and a 10-hour, 8-GPU report, loads each in
// headless chromium and checks, from the DOM after load, that every chart the
// data calls for is there with one point per timeline bucket, that the inline
// script saw each of them laid out (it writes what it counted into
// data-rendered and <meta name="benchctl-rendered">), and that a screenshot
// of the page is a real picture.
func TestBrowser(t *testing.T) {
	bin := chromium(t)
	for _, tt := range []struct {
		name string
		r    *result.Report
		bars []int // points of the bar charts, in page order
	}{
		{"fixture", testfixture.Report(), nil},
		{"10h-8gpu", longReport(), []int{3, 4, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "report.html")
			page, err := New().Render(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, page, 0o644); err != nil {
				t.Fatal(err)
			}
			dom := string(browse(t, bin, file, "--dump-dom"))
			checkDOM(t, dom, expect(tt.r), tt.bars)

			shot := filepath.Join(dir, "shot.png")
			browse(t, bin, file, "--screenshot="+shot, "--window-size=1400,3000", "--hide-scrollbars")
			checkScreenshot(t, shot)
			if keep := os.Getenv("BENCHCTL_HTML_ARTIFACTS"); keep != "" {
				_ = os.MkdirAll(keep, 0o755)
				_ = os.WriteFile(filepath.Join(keep, tt.name+".html"), page, 0o644)
				if png, err := os.ReadFile(shot); err == nil {
					_ = os.WriteFile(filepath.Join(keep, tt.name+".png"), png, 0o644)
				}
			}
		})
	}
}

// TestBrowserCountsLayout proves that the page's counter measures what the
// browser laid out, not what the DOM holds: with the charts hidden by a style
// rule, it counts none.
func TestBrowserCountsLayout(t *testing.T) {
	bin := chromium(t)
	page, err := New().Render(testfixture.Report())
	if err != nil {
		t.Fatal(err)
	}
	hidden := strings.Replace(string(page), "</style>", "svg.chart{display:none}</style>", 1)
	file := filepath.Join(t.TempDir(), "hidden.html")
	if err := os.WriteFile(file, []byte(hidden), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(browse(t, bin, file, "--dump-dom"))
	m := metaRe.FindStringSubmatch(dom)
	if m == nil || m[1] != "charts=0 points=0 stages=0" {
		t.Errorf("hidden charts counted as %v", m)
	}
	if n := len(chartsInDOM(dom)); n != 2 {
		t.Errorf("%d charts in the DOM, want 2 (hidden, not removed)", n)
	}
}

func checkDOM(t *testing.T, dom string, want expected, bars []int) {
	t.Helper()
	m := metaRe.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no benchctl-rendered meta in the dumped DOM (%d bytes)", len(dom))
	}
	charts := chartsInDOM(dom)
	wantMeta := "charts=" + strconv.Itoa(len(want.charts)+len(bars)) +
		" points=" + strconv.Itoa(want.points+sum(bars)) + " stages=" + strconv.Itoa(want.stages)
	if m[1] != wantMeta {
		t.Errorf("the page's script counted %q, want %q", m[1], wantMeta)
	}
	var timelines, barCharts []chartInDOM
	for _, c := range charts {
		if c.attrs["data-kind"] == "memory" || c.attrs["data-kind"] == "utilization" {
			timelines = append(timelines, c)
		} else {
			barCharts = append(barCharts, c)
		}
	}
	if len(timelines) != len(want.charts) {
		t.Fatalf("%d timeline charts in the DOM, want %d", len(timelines), len(want.charts))
	}
	for i, c := range timelines {
		key := c.attrs["data-kind"] + "/" + c.attrs["data-gpu"] + "/" + strconv.Itoa(i)
		n, ok := want.charts[key]
		if !ok {
			t.Errorf("chart %d is %s, not one the data calls for", i, key)
			continue
		}
		for what, got := range map[string]string{"data-points": c.attrs["data-points"], "data-rendered": c.attrs["data-rendered"], "points": strconv.Itoa(c.pts)} {
			if got != strconv.Itoa(n) {
				t.Errorf("chart %s: %s %s, want %d", key, what, got, n)
			}
		}
		if c.stages == 0 || c.peak != 1 {
			t.Errorf("chart %s: %d stage bands and %d peak marks", key, c.stages, c.peak)
		}
	}
	if len(barCharts) != len(bars) {
		t.Fatalf("%d bar charts in the DOM, want %d", len(barCharts), len(bars))
	}
	for i, c := range barCharts {
		if c.bars != bars[i] || c.attrs["data-rendered"] != strconv.Itoa(bars[i]) {
			t.Errorf("bar chart %d (%s): %d bars, %s rendered, want %d", i, c.attrs["data-kind"], c.bars, c.attrs["data-rendered"], bars[i])
		}
	}
}

func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	if fi.Size() < 50<<10 {
		t.Errorf("screenshot is %d bytes: too small for a page of charts", fi.Size())
	}
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1400 || b.Dy() != 3000 {
		t.Errorf("screenshot is %dx%d, want 1400x3000", b.Dx(), b.Dy())
	}
	if n := colours(img); n < 50 {
		t.Errorf("screenshot has %d colours: the page did not render", n)
	}
}

// colours counts the distinct colours of an image, up to 1000.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}

func sum(ns []int) int {
	s := 0
	for _, n := range ns {
		s += n
	}
	return s
}
