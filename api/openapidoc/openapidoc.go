// Package openapidoc reads the operations api/openapi.yaml documents, for
// the tests that hold the routes to it (api's route check, cmd/herstart's
// authorisation matrix).
package openapidoc

import (
	"bufio"
	"os"
	"regexp"
	"strings"
)

var (
	pathRe   = regexp.MustCompile(`^  (/[^:]*):\s*$`)
	methodRe = regexp.MustCompile(`^    (get|post|put|patch|delete):`)
)

// Operations returns "METHOD /path" for every operation in the paths
// section of the document at file (two-space path keys, four-space
// method keys), in document order.
func Operations(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	in, cur := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "paths:" {
			in = true
			continue
		}
		if !in {
			continue
		}
		if m := pathRe.FindStringSubmatch(line); m != nil {
			cur = m[1]
		} else if m := methodRe.FindStringSubmatch(line); m != nil && cur != "" {
			out = append(out, strings.ToUpper(m[1])+" "+cur)
		}
	}
	return out, sc.Err()
}
