package dossier

import (
	"fmt"
	"testing"
	"time"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRetentionDuties(t *testing.T) {
	today := d("2026-12-02")
	tests := []struct {
		name  string
		x     Exposure
		dob   string
		want  string // "" when no duty holds; "open"; or the date it ends
		agent Agent
	}{
		{"carcinogen ended ten years ago: forty years after", Exposure{Agent: AgentCarcinogen, From: d("2010-01-01"), To: d("2016-06-30")}, "1980-01-01", "2056-06-30", AgentCarcinogen},
		{"carcinogen ended forty years ago yesterday", Exposure{Agent: AgentCarcinogen, From: d("1980-01-01"), To: d("1986-12-01")}, "1950-01-01", "", ""},
		{"carcinogen ended forty years ago tomorrow", Exposure{Agent: AgentCarcinogen, From: d("1980-01-01"), To: d("1986-12-03")}, "1950-01-01", "2026-12-03", AgentCarcinogen},
		{"biological agent still running", Exposure{Agent: AgentBiological, From: d("2020-01-01")}, "1980-01-01", "open", AgentBiological},
		{"biological agent ended 1985", Exposure{Agent: AgentBiological, From: d("1980-01-01"), To: d("1985-01-01")}, "1950-01-01", "", ""},
		{"radiation: thirty years after the work", Exposure{Agent: AgentIonisingRadiation, From: d("2000-01-01"), To: d("2010-01-01")}, "1940-01-01", "2040-01-01", AgentIonisingRadiation},
		{"radiation: until age 75 when that is later", Exposure{Agent: AgentIonisingRadiation, From: d("1990-01-01"), To: d("1995-01-01")}, "1980-05-17", "2055-05-17", AgentIonisingRadiation},
		{"radiation: both passed", Exposure{Agent: AgentIonisingRadiation, From: d("1970-01-01"), To: d("1990-01-01")}, "1940-01-01", "", ""},
		{"radiation still running", Exposure{Agent: AgentIonisingRadiation, From: d("2025-01-01")}, "1940-01-01", "open", AgentIonisingRadiation},
		{"radiation long past, date of birth unknown: kept", Exposure{Agent: AgentIonisingRadiation, From: d("1970-01-01"), To: d("1990-01-01")}, "", "open", AgentIonisingRadiation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dob time.Time
			if tt.dob != "" {
				dob = d(tt.dob)
			}
			got := RetentionDuties([]Exposure{tt.x}, dob, today)
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("RetentionDuties(%+v, %s) = %+v, want none", tt.x, tt.dob, got)
			case tt.want == "":
			case len(got) != 1:
				t.Errorf("RetentionDuties(%+v, %s) = %+v, want one duty", tt.x, tt.dob, got)
			case tt.want == "open" && !got[0].Open, tt.want != "open" && got[0].Until.Format(time.DateOnly) != tt.want, got[0].Agent != tt.agent:
				t.Errorf("RetentionDuties(%+v, %s) = %+v, want %s until %s", tt.x, tt.dob, got[0], tt.agent, tt.want)
			}
		})
	}
	t.Run("the refusal names the last end, or none while one runs", func(t *testing.T) {
		xs := []Exposure{
			{Agent: AgentCarcinogen, From: d("2010-01-01"), To: d("2016-06-30")},
			{Agent: AgentIonisingRadiation, From: d("2000-01-01"), To: d("2020-01-01")},
		}
		e := &RefusalError{Ground: "legal_retention_duty", Duties: RetentionDuties(xs, d("1980-01-01"), today)}
		if got := e.RetainedUntil().Format(time.DateOnly); got != "2056-06-30" {
			t.Errorf("RetainedUntil = %s, want 2056-06-30 (the carcinogen's term, later than radiation's 2055-01-01)", got)
		}
		xs = append(xs, Exposure{Agent: AgentBiological, From: d("2024-01-01")})
		e = &RefusalError{Ground: "legal_retention_duty", Duties: RetentionDuties(xs, d("1980-01-01"), today)}
		if !e.RetainedUntil().IsZero() {
			t.Errorf("RetainedUntil with a running exposure = %s, want none", e.RetainedUntil())
		}
	})
}

func TestGeneration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"dossier-8b3c2a7e-0d4f-4c4b-9a8e-2f1d3c4b5a69-g1", 1, true},
		{"dossier-8b3c2a7e-0d4f-4c4b-9a8e-2f1d3c4b5a69-g12", 12, true},
		{"dossier-8b3c2a7e-0d4f-4c4b-9a8e-2f1d3c4b5a69", 0, false},
		{"dossier-x-g0", 0, false},
		{"dossier-x-gx", 0, false},
	} {
		got, err := generation(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("generation(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzGeneration: the generation of a key name never panics, and a name
// built from a generation reads back as it.
func FuzzGeneration(f *testing.F) {
	for _, s := range []string{"dossier-8b3c2a7e-0d4f-4c4b-9a8e-2f1d3c4b5a69-g1", "-g", "dossier--g99999999999999999999", "g1"} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, name string, n int) {
		if g, err := generation(name); err == nil && g < 1 {
			t.Errorf("generation(%q) = %d without an error", name, g)
		}
		if n < 1 {
			return
		}
		built := fmt.Sprintf("dossier-%s-g%d", name, n)
		if g, err := generation(built); err != nil || g != n {
			t.Errorf("generation(%q) = %d, %v; want %d", built, g, err, n)
		}
	})
}
