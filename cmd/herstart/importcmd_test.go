package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImport_CaseloadFile moves a caseload in the way another system's
// export arrives: a CSV naming each line's worker. The whole file goes in
// with a progress bar; the same file again adds nothing; a file with wrong
// lines writes nothing and names each line and field; and the database
// holds every invariant afterwards.
func TestImport_CaseloadFile(t *testing.T) {
	env := testEnv(t, nil)
	ctx := context.Background()
	var out bytes.Buffer
	loadBareDemo(t, env)
	workers := []string{"reclassering.jansen@demo.herstart.nl", "Reclassering.Bakker@demo.herstart.nl"}
	raw, err := generatedCSV(60, workers, 3)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "caseload.csv")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	importFile := func(args ...string) (string, error) {
		out.Reset()
		err := run(ctx, append([]string{"import"}, args...), &out, io.Discard, envFunc(env))
		return out.String(), err
	}
	got, err := importFile(file)
	if err != nil || !strings.Contains(got, "60 candidates registered, 0 there already") || !strings.Contains(got, "registering [####################] 100%  60 of 60 lines") {
		t.Fatalf("import: %v\n%s", err, got)
	}
	if got, err = importFile(file); err != nil || !strings.Contains(got, "0 candidates registered, 60 there already") {
		t.Fatalf("the same file again: %v\n%s", err, got)
	}

	// Wrong lines: nothing of the file is written, each line is named.
	bad := "voornaam;achternaam;geboortedatum;vaardigheden;woonplaats;begeleider\n" +
		"Ivo;Jansen;1991-02-03;metselen;Utrecht;reclassering.jansen@demo.herstart.nl\n" +
		"Sem;Bakker;31-02-1990;orderpicken;Zeist;reclassering.jansen@demo.herstart.nl\n" +
		"Aya;Haddad;1988-03-04;schoonmaken;Atlantis;reclassering.jansen@demo.herstart.nl\n" +
		"Noor;Smit;1995-05-06;schilderen;Utrecht;mentor@demo.herstart.nl\n"
	badFile := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(badFile, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err = importFile(badFile)
	var ee exitError
	if !errors.As(err, &ee) || int(ee) != 2 || !strings.Contains(got, "line 5: worker: mentor@demo.herstart.nl is not an active probation worker") {
		t.Fatalf("a file with a mentor as worker: %v\n%s", err, got)
	}
	// With the worker mended, the lines' own problems are named.
	if err := os.WriteFile(badFile, []byte(strings.Replace(bad, "mentor@", "reclassering.bakker@", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err = importFile(badFile)
	if !errors.As(err, &ee) || int(ee) != 2 || !strings.Contains(got, "nothing imported: 2 problem(s)") ||
		!strings.Contains(got, "line 3: birth_date:") || !strings.Contains(got, "line 4: home_place:") {
		t.Fatalf("a file with wrong lines: %v\n%s", err, got)
	}
	// Without a worker column, --worker names the worker.
	good := "first_name,last_name,birth_date,skills,home_place\nIvo,Jansen,1991-02-03,metselen,Utrecht\n"
	if err := os.WriteFile(badFile, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err = importFile(badFile); !errors.As(err, &ee) || !strings.Contains(got, "line 2: worker: is required") {
		t.Fatalf("no worker anywhere: %v\n%s", err, got)
	}
	if got, err = importFile("--worker", "reclassering.bakker@demo.herstart.nl", badFile); err != nil || !strings.Contains(got, "1 candidates registered") {
		t.Fatalf("--worker: %v\n%s", err, got)
	}

	out.Reset()
	if err := run(ctx, []string{"check"}, &out, io.Discard, envFunc(env)); err != nil {
		t.Fatalf("check after the imports: %v\n%s", err, out.String())
	}
}

// TestBenchImport runs the import benchmark small.
func TestBenchImport(t *testing.T) {
	env := testEnv(t, nil)
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"bench", "import", "--candidates", "300", "--workers", "3", "--runs", "1"}, &out, &errs, envFunc(env)); err != nil {
		t.Fatalf("bench import: %v\n%s%s", err, out.String(), errs.String())
	}
	if !strings.Contains(out.String(), "import of 300 candidates over 3 workers (embedded default): median") {
		t.Fatalf("bench import printed %q", out.String())
	}
}
