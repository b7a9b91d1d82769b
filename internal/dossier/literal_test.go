package dossier

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAuthorOnlyKindsAreSpelledOnlyHere keeps the working-note rule named
// once: outside this package no Go file (tests and SQL migrations aside)
// spells an author-only kind; it uses KindWorkingNote or, better, the rule
// (ReadableBy, Releasable, AuthorOnlyKinds, ReleasableKinds).
func TestAuthorOnlyKindsAreSpelledOnlyHere(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range AuthorOnlyKinds() {
		got, err := spelledIn(root, string(k), here)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 {
			t.Errorf("spelledIn(%s, %q) = %v, want no Go file outside internal/dossier: use the dossier package's rules", root, k, got)
		}
	}
}

func TestSpelledIn(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                  "module example\n",
		"a/store.go":              "package a\nconst q = `kind <> 'secret_kind'`\n",
		"a/store_test.go":         "package a\nvar _ = \"secret_kind\"\n",
		"a/clean.go":              "package a\n",
		"rules/rules.go":          "package rules\nconst K = \"secret_kind\"\n",
		"migrations/001_x.up.sql": "CHECK (kind <> 'secret_kind')\n",
		".hidden/x.go":            "package x\nvar _ = \"secret_kind\"\n",
		"b/c/deep.go":             "package c\n// secret_kind in a comment counts too\n",
		"b/c/notes.md":            "secret_kind\n",
		"rules/sub/sub.go":        "package sub\nvar _ = \"secret_kind\"\n",
	}
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := spelledIn(root, "secret_kind", filepath.Join(root, "rules"))
	if err != nil {
		t.Fatalf("spelledIn: %v", err)
	}
	want := []string{"a/store.go", "b/c/deep.go", "rules/sub/sub.go"}
	if !slices.Equal(got, want) {
		t.Errorf("spelledIn(tree, %q, rules) = %v, want %v", "secret_kind", got, want)
	}
}

// moduleRoot returns the nearest directory at or above the working
// directory that holds a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// spelledIn returns, relative to root and sorted, the non-test .go files
// under root that contain s, skipping the directory skip itself (not its
// subdirectories) and hidden directories.
func spelledIn(root, s, skip string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Dir(path) == skip || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), s) {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}
