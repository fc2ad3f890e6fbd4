package main

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/candidates/candidatetest"
)

// generatedCSV writes n generated candidates as an import file, in the
// import page's columns plus the worker's e-mail, spread evenly over
// workers (for bench import and its test).
func generatedCSV(n int, workers []string, seed uint64) ([]byte, error) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := append(append([]string{}, candidates.CSVColumns...), candidates.WorkerColumn)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	now := time.Now()
	for i := range n {
		in := candidatetest.Input(r, now)
		rec := []string{in.Identity.FirstName, in.Identity.LastName, in.Identity.BirthDate, strings.Join(in.Skills, "|"), in.HomePlace,
			strconv.Itoa(in.HoursPerWeek), in.AvailableFrom, strconv.Itoa(in.TravelRadiusKm), strings.Join(in.DesiredOccupations, "|"),
			strings.Join(in.Certificates, "|"), strings.Join(in.Languages, "|"), in.Identity.Email, in.Identity.Phone, in.Motivation,
			workers[i*len(workers)/n]}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
