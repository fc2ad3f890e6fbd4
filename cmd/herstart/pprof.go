package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"github.com/herstart/herstart/store"
	"github.com/prometheus/client_golang/prometheus"
)

// startPprof serves the runtime's profiles (CPU, heap, block, mutex,
// goroutines) on addr, a listener of its own apart from the app, for
// measuring serve under load (`herstart bench load --profile`). Block and
// mutex profiling are switched on with it: they cost a little on every
// contended lock, so only when asked for. The profiles show code paths, not
// data; still, keep addr on loopback.
func startPprof(addr string, log *slog.Logger) (func(), error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("HERSTART_PPROF_ADDR: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("HERSTART_PPROF_ADDR must be a loopback address (127.0.0.1:6060), not %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("HERSTART_PPROF_ADDR: %w", err)
	}
	runtime.SetBlockProfileRate(int(100 * time.Microsecond)) // a sample per 100 µs blocked
	runtime.SetMutexProfileFraction(20)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("pprof listener", "err", err)
		}
	}()
	log.Info("pprof profiles", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { _ = srv.Close() }, nil
}

// dbCommands exposes the database commands sent so far on /metrics, by
// command and collection: herstart_db_commands_total.
type dbCommands struct{ db *store.DB }

var dbCommandsDesc = prometheus.NewDesc("herstart_db_commands_total", "Database commands sent, by command and collection.", []string{"command", "collection"}, nil)

var dbSecondsDesc = prometheus.NewDesc("herstart_db_command_seconds_total", "Time database commands took as the driver saw it, by command and collection.", []string{"command", "collection"}, nil)

func (d dbCommands) Describe(ch chan<- *prometheus.Desc) { ch <- dbCommandsDesc; ch <- dbSecondsDesc }

func (d dbCommands) Collect(ch chan<- prometheus.Metric) {
	for _, c := range d.db.Commands() {
		ch <- prometheus.MustNewConstMetric(dbCommandsDesc, prometheus.CounterValue, float64(c.N), c.Command, c.Collection)
		ch <- prometheus.MustNewConstMetric(dbSecondsDesc, prometheus.CounterValue, c.Seconds, c.Command, c.Collection)
	}
}
