package web

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/arbokluis/arbokluis/internal/absence"
)

func TestParseCaseWorkDays(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   int
		wantOK bool
	}{
		{"", 14, true}, {"0", 0, true}, {"30", 30, true}, {"365", 365, true},
		{"366", 0, false}, {"-1", 0, false}, {"veel", 0, false}, {"1.5", 0, false}, {" 7", 0, false}, {"99999999999999999999", 0, false},
	} {
		got, ok := parseCaseWorkDays(tc.in, 14)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("parseCaseWorkDays(%q, 14) = %d, %t; want %d, %t", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func FuzzParseCaseWorkDays(f *testing.F) {
	for _, s := range []string{"", "0", "14", "365", "366", "-1", "x", "+5", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, ok := parseCaseWorkDays(in, 14)
		if !ok {
			if n != 0 {
				t.Errorf("parseCaseWorkDays(%q) refused but returned %d", in, n)
			}
			return
		}
		if n < 0 || n > caseWorkMaxDays {
			t.Errorf("parseCaseWorkDays(%q) = %d, outside 0–%d", in, n, caseWorkMaxDays)
		}
		if m, err := strconv.Atoi(in); in != "" && (err != nil || m != n) {
			t.Errorf("parseCaseWorkDays(%q) = %d, not the number written", in, n)
		}
	})
}

func TestCaseWorkParticipants(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil}, {" , ,", nil},
		{"casemanager, medewerker", []string{"casemanager", "medewerker"}},
		{"  Jan de Vries ,Piet,, ", []string{"Jan de Vries", "Piet"}},
	} {
		if got := caseWorkParticipants(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("caseWorkParticipants(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzCaseWorkParticipants(f *testing.F) {
	for _, s := range []string{"", "a", "a, b", ",,,", " x ,y", "é,\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := caseWorkParticipants(in)
		if len(got) > strings.Count(in, ",")+1 {
			t.Errorf("caseWorkParticipants(%q) = %d names, more than the %d parts", in, len(got), strings.Count(in, ",")+1)
		}
		for _, p := range got {
			if p == "" || p != strings.TrimSpace(p) || strings.Contains(p, ",") {
				t.Errorf("caseWorkParticipants(%q) holds %q: empty, untrimmed or with a comma", in, p)
			}
			if utf8.ValidString(in) && !utf8.ValidString(p) {
				t.Errorf("caseWorkParticipants(%q) broke a character: %q", in, p)
			}
		}
	})
}

func TestCaseWorkPlanRows(t *testing.T) {
	row := func(n int) string { return "plan_afspraak_" + strconv.Itoa(n) + "_wat" }
	for _, tc := range []struct {
		name string
		form map[string]string
		want int
	}{
		{"empty form", map[string]string{}, 3},
		{"one activity", map[string]string{row(1): "a"}, 3},
		{"two activities", map[string]string{row(2): "b"}, 4},
		{"a date only in row 5", map[string]string{"plan_afspraak_5_datum": "2026-01-02"}, 7},
		{"the last row", map[string]string{row(caseWorkMaxActivities): "z"}, caseWorkMaxActivities},
		{"beyond the last row", map[string]string{row(caseWorkMaxActivities + 1): "z"}, 3},
	} {
		got := caseWorkPlanRows(tc.form)
		if len(got) != tc.want || got[0] != 1 || got[len(got)-1] != tc.want {
			t.Errorf("caseWorkPlanRows(%s) = %v, want 1…%d", tc.name, got, tc.want)
		}
	}
}

func TestCaseWorkChannelName(t *testing.T) {
	for in, want := range map[string]string{"phone": "Telefoon", "email": "E-mail", "meeting": "Gesprek", "video": "Videobellen",
		"letter": "Brief", "fax": "fax"} {
		if got := caseWorkChannelName(absence.Channel(in)); got != want {
			t.Errorf("caseWorkChannelName(%q) = %q, want %q", in, got, want)
		}
	}
}
