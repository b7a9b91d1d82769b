package consent

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func kinds(ks ...dossier.EntryKind) []dossier.EntryKind { return ks }

func TestScopeCovers(t *testing.T) {
	consented := Scope{Kinds: kinds(dossier.KindConsultation, dossier.KindNote), From: day("2026-01-01"), To: day("2026-06-30")}
	tests := []struct {
		name string
		ask  Scope
		want bool
	}{
		{"the same", consented, true},
		{"fewer kinds, a shorter period", Scope{Kinds: kinds(dossier.KindNote), From: day("2026-02-01"), To: day("2026-03-01")}, true},
		{"another kind", Scope{Kinds: kinds(dossier.KindDiagnosis), From: day("2026-02-01"), To: day("2026-03-01")}, false},
		{"earlier start", Scope{Kinds: kinds(dossier.KindNote), From: day("2025-12-31"), To: day("2026-03-01")}, false},
		{"later end", Scope{Kinds: kinds(dossier.KindNote), From: day("2026-02-01"), To: day("2026-07-01")}, false},
		{"open start against a bounded consent", Scope{Kinds: kinds(dossier.KindNote), To: day("2026-03-01")}, false},
		{"open end against a bounded consent", Scope{Kinds: kinds(dossier.KindNote), From: day("2026-02-01")}, false},
	}
	for _, tt := range tests {
		if got := consented.Covers(tt.ask); got != tt.want {
			t.Errorf("%s: Covers(%+v) = %v, want %v", tt.name, tt.ask, got, tt.want)
		}
	}
	open := Scope{Kinds: kinds(dossier.KindNote)}
	if !open.Covers(Scope{Kinds: kinds(dossier.KindNote), From: day("2000-01-01")}) {
		t.Errorf("an unbounded consent does not cover a bounded request")
	}
}

func TestScopeIncludes(t *testing.T) {
	s := Scope{Kinds: kinds(dossier.KindNote, dossier.KindWorkingNote), From: day("2026-01-01"), To: day("2026-01-31")}
	for _, tt := range []struct {
		kind dossier.EntryKind
		on   time.Time
		want bool
	}{
		{dossier.KindNote, day("2026-01-01"), true},
		{dossier.KindNote, time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC), true},
		{dossier.KindNote, day("2026-02-01"), false},
		{dossier.KindNote, day("2025-12-31"), false},
		{dossier.KindDiagnosis, day("2026-01-10"), false},
		{dossier.KindWorkingNote, day("2026-01-10"), false}, // never, even when named
	} {
		if got := s.Includes(tt.kind, tt.on); got != tt.want {
			t.Errorf("Includes(%s, %s) = %v, want %v", tt.kind, tt.on, got, tt.want)
		}
	}
}

func TestConsentCovers(t *testing.T) {
	today := day("2026-12-02")
	base := Consent{ID: uuid.New(), RecipientKind: RecipientSpecialist, Purpose: PurposeReintegration,
		Scope: Scope{Kinds: kinds(dossier.KindNote)}, ExpiresOn: day("2027-01-31"), Status: StatusSigned}
	ask := Scope{Kinds: kinds(dossier.KindNote)}
	for _, tt := range []struct {
		name   string
		change func(*Consent)
		kind   RecipientKind
		reason string
	}{
		{"valid", func(*Consent) {}, RecipientSpecialist, ""},
		{"no consent", func(c *Consent) { *c = Consent{} }, RecipientSpecialist, "no_valid_consent"},
		{"prepared, unsigned", func(c *Consent) { c.Status = StatusPrepared }, RecipientSpecialist, "consent_not_signed"},
		{"revoked", func(c *Consent) { c.Status = StatusRevoked }, RecipientSpecialist, "consent_revoked"},
		{"expired yesterday", func(c *Consent) { c.ExpiresOn = day("2026-12-01") }, RecipientSpecialist, "consent_expired"},
		{"expires today: still valid", func(c *Consent) { c.ExpiresOn = today }, RecipientSpecialist, ""},
		{"another recipient", func(*Consent) {}, RecipientUWV, "consent_other_recipient"},
		{"another purpose", func(c *Consent) { c.Purpose = PurposeSecondOpinion }, RecipientSpecialist, "consent_other_purpose"},
		{"a wider scope", func(c *Consent) { c.Scope.Kinds = kinds(dossier.KindConsultation) }, RecipientSpecialist, "scope_exceeds_consent"},
	} {
		c := base
		tt.change(&c)
		ok, why := c.Covers(tt.kind, PurposeReintegration, ask, today)
		if ok != (tt.reason == "") || why != tt.reason {
			t.Errorf("%s: Covers = %v %q, want %q", tt.name, ok, why, tt.reason)
		}
	}
}

func TestConsentTextNamesEverythingAndIsStable(t *testing.T) {
	c := Consent{ID: uuid.MustParse("8b3c2a7e-0d4f-4c4b-9a8e-2f1d3c4b5a69"), RecipientKind: RecipientSpecialist,
		Recipient: Party{Name: "Dr. Bé Bakker", Organisation: "Ziekenhuis Rijnstate"}, Purpose: PurposeReintegration,
		PurposeText: "Belastbaarheid na de operatie.", Scope: Scope{Kinds: kinds(dossier.KindConsultation, dossier.KindNote),
			From: day("2026-01-01"), To: day("2026-06-30")}, ExpiresOn: day("2027-03-01")}
	n := Names{Employee: "Gérard Özdemir", Physician: "Dr. Ĳsbrand de Wit"}
	text := c.Text(n)
	for _, want := range []string{"Gérard Özdemir", "Dr. Ĳsbrand de Wit", "Dr. Bé Bakker", "Ziekenhuis Rijnstate", "medisch specialist",
		"re-integratie", "Belastbaarheid", "consulten, aantekeningen van 2026-01-01 tot en met 2026-06-30", "2027-03-01",
		c.ID.String(), "intrekken", "Werkaantekeningen"} {
		if !strings.Contains(text, want) {
			t.Errorf("Text lacks %q:\n%s", want, text)
		}
	}
	if TextHash(text) != TextHash(c.Text(n)) || len(TextHash(text)) != 64 {
		t.Errorf("the text or its hash is not stable")
	}
	c.ExpiresOn = day("2027-03-02")
	if TextHash(c.Text(n)) == TextHash(text) {
		t.Errorf("a changed expiry leaves the text's hash the same")
	}
}

func TestNewConsentCheck(t *testing.T) {
	today := day("2026-12-02")
	good := NewConsent{RecipientKind: RecipientTreatingPhysician, Recipient: Party{Name: "A", Organisation: "B"},
		Purpose: PurposeTreatmentInformation, Scope: Scope{Kinds: kinds(dossier.KindNote)}, ExpiresOn: day("2027-01-01")}
	if err := good.check(today); err != nil {
		t.Fatalf("check(good) = %v", err)
	}
	for name, change := range map[string]func(*NewConsent){
		"working note":       func(n *NewConsent) { n.Scope.Kinds = kinds(dossier.KindWorkingNote) },
		"no kinds":           func(n *NewConsent) { n.Scope.Kinds = nil },
		"expires today":      func(n *NewConsent) { n.ExpiresOn = today },
		"over twelve months": func(n *NewConsent) { n.ExpiresOn = day("2027-12-03") },
		"unknown recipient":  func(n *NewConsent) { n.RecipientKind = "neighbour" },
		"unknown purpose":    func(n *NewConsent) { n.Purpose = "curiosity" },
		"no organisation":    func(n *NewConsent) { n.Recipient.Organisation = " " },
		"control characters": func(n *NewConsent) { n.PurposeText = "a\x00b" },
	} {
		n := good
		change(&n)
		if err := n.check(today); err == nil {
			t.Errorf("check with %s = nil, want field errors", name)
		}
	}
}

// FuzzScopeCovers checks the property a disclosure rests on: whatever a
// requested scope includes, a scope that covers it includes too; and a
// working note is never included.
func FuzzScopeCovers(f *testing.F) {
	f.Add(uint8(3), int16(0), int16(100), uint8(1), int16(10), int16(50), uint8(0), int16(20))
	f.Add(uint8(127), int16(-1), int16(-1), uint8(64), int16(-1), int16(30), uint8(6), int16(-5))
	f.Fuzz(func(t *testing.T, aKinds uint8, aFrom, aTo int16, bKinds uint8, bFrom, bTo int16, kind uint8, on int16) {
		epoch := day("2020-01-01")
		scope := func(mask uint8, from, to int16) Scope {
			var s Scope
			for i, k := range dossier.EntryKinds {
				if mask&(1<<i) != 0 {
					s.Kinds = append(s.Kinds, k)
				}
			}
			if from >= 0 {
				s.From = epoch.AddDate(0, 0, int(from))
			}
			if to >= 0 {
				s.To = epoch.AddDate(0, 0, int(to))
			}
			return s
		}
		a, b := scope(aKinds, aFrom, aTo), scope(bKinds, bFrom, bTo)
		k := dossier.EntryKinds[int(kind)%len(dossier.EntryKinds)]
		d := epoch.AddDate(0, 0, int(on))
		if a.Covers(b) && b.Includes(k, d) && !a.Includes(k, d) {
			t.Errorf("%+v covers %+v, which includes %s on %s, but does not include it itself", a, b, k, d)
		}
		if a.Includes(dossier.KindWorkingNote, d) {
			t.Errorf("%+v includes a working note", a)
		}
		if !a.Covers(a) {
			t.Errorf("%+v does not cover itself", a)
		}
	})
}

func TestPartySame(t *testing.T) {
	p := Party{Name: "Dr. Bé Bakker", Organisation: "Ziekenhuis Rijnstate"}
	for _, tt := range []struct {
		o    Party
		want bool
	}{
		{Party{Name: "dr.  bé bakker ", Organisation: "ZIEKENHUIS Rijnstate"}, true},
		{Party{Name: "Dr. Bé Bakker", Organisation: "Ziekenhuis Gelderse Vallei"}, false},
		{Party{Name: "Dr. B. Bakker", Organisation: "Ziekenhuis Rijnstate"}, false},
	} {
		if got := p.Same(tt.o); got != tt.want {
			t.Errorf("Same(%+v) = %v, want %v", tt.o, got, tt.want)
		}
	}
}

func TestKindLabelsNameTheReleasableKinds(t *testing.T) {
	for _, k := range dossier.ReleasableKinds() {
		if KindLabels[k] == "" {
			t.Errorf("KindLabels[%q] = %q, want a Dutch name for every releasable kind", k, KindLabels[k])
		}
	}
	if n, want := len(KindLabels), len(dossier.ReleasableKinds()); n != want {
		t.Errorf("len(KindLabels) = %d, want %d (the releasable kinds only)", n, want)
	}
}

func TestScopeCheckRefusesKindsThatAreNotReleasable(t *testing.T) {
	for _, k := range []dossier.EntryKind{dossier.KindWorkingNote, "gossip"} {
		t.Run(string(k), func(t *testing.T) {
			fe := derrors.FieldErrors{}
			Scope{Kinds: kinds(dossier.KindNote, k)}.check(fe)
			if got, want := fe["scope_kinds"], "must be entry kinds other than working_note"; got != want {
				t.Errorf("Scope{Kinds: [note %s]}.check: scope_kinds = %q, want %q", k, got, want)
			}
		})
	}
}
