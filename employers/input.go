package employers

import (
	"strconv"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
