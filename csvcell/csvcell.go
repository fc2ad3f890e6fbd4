// Package csvcell keeps a spreadsheet from reading an exported cell as a
// formula: every CSV the platform hands out (the disclosure log, the payout
// ledger, the caseload's exports) writes its cells through Safe.
package csvcell

import "strings"

// Safe returns s with a leading apostrophe when a spreadsheet would read
// it as a formula or a command: a first character of =, +, -, @, tab or
// carriage return (OWASP's CSV-injection list). Other cells are unchanged.
func Safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Row applies Safe to every cell of a row, in place, and returns it.
func Row(cells []string) []string {
	for i, c := range cells {
		cells[i] = Safe(c)
	}
	return cells
}
