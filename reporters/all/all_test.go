package all

import (
	"testing"

	_ "github.com/benchctl/benchctl/internal/golden" // defines -update for go test ./reporters/... -update
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/testfixture"
)

func TestEveryFormatRegistered(t *testing.T) {
	for _, name := range []string{"console", "csv", "csv-timeline", "html", "json", "junit", "markdown"} {
		t.Run(name, func(t *testing.T) {
			r, err := reporters.Get(name)
			if err != nil {
				t.Fatal(err)
			}
			if r.Name() != name {
				t.Errorf("registered as %q, named %q", name, r.Name())
			}
			first, err := r.Render(testfixture.Report())
			if err != nil {
				t.Fatal(err)
			}
			again, err := r.Render(testfixture.Report())
			if err != nil {
				t.Fatal(err)
			}
			if string(first) != string(again) {
				t.Error("two renders of one report differ")
			}
			if _, err := r.Render(nil); err == nil {
				t.Error("Render(nil) gave no error")
			}
		})
	}
}
