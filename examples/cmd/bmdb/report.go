package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/steadfast-go/steadfast/examples/bmdb"
)

// progress logs the state of the work twice a second until every machine is ready (it returns
// true) or ctx ends (false).
func progress(ctx context.Context, db *bmdb.DB, machines int, log *slog.Logger) bool {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		st, err := db.Stats(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("stats", "err", err)
			}
			continue
		}
		done, failed := 0, 0
		for _, ev := range st.Events {
			done += ev[bmdb.EventFinished]
			failed += ev[bmdb.EventFailed] + ev[bmdb.EventDropped]
		}
		log.Info("progress", "ready", fmt.Sprintf("%d/%d", st.Stages[bmdb.StageReady], machines),
			"new", st.Stages[bmdb.StageNew], "provisioned", st.Stages[bmdb.StageProvisioned],
			"broken", st.Stages[bmdb.StageBroken], "done", done, "failed", failed,
			"in_backoff", st.InBackoff, "leases", st.Leases, "sessions", st.Sessions)
		if st.Stages[bmdb.StageReady] >= machines {
			return true
		}
	}
}

// summarize prints the result and checks it against the history: every machine ready,
// provisioned once and initialized once, recovered exactly as often as an install found it
// broken, and no side effect repeated at the provider.
func summarize(ctx context.Context, db *bmdb.DB, prov *bmdb.Provider, c config, took time.Duration, log *slog.Logger) error {
	st, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	hist, err := db.History(ctx)
	if err != nil {
		return err
	}
	finished := finishes(hist)
	fmt.Printf("\nsummary after %v (%s):\n", took.Round(time.Millisecond), db.Dialect())
	for _, p := range []bmdb.Process{bmdb.Provision, bmdb.Initialize, bmdb.Recover} {
		ev := st.Events[p.Name]
		fmt.Printf("  %-10s finished %4d  failed %4d  dropped %4d  leases taken over %d\n", p.Name,
			ev[bmdb.EventFinished], ev[bmdb.EventFailed], ev[bmdb.EventDropped], ev[bmdb.EventExpired])
	}
	fmt.Printf("  machines ready %d of %d\n", st.Stages[bmdb.StageReady], c.machines)
	var problems []string
	if st.Stages[bmdb.StageReady] != c.machines {
		problems = append(problems, fmt.Sprintf("%d of %d machines ready", st.Stages[bmdb.StageReady], c.machines))
	}
	for _, p := range []string{bmdb.Provision.Name, bmdb.Initialize.Name} {
		for m, n := range finished[p] {
			if n != 1 {
				problems = append(problems, fmt.Sprintf("%s of %s finished %d times", p, m, n))
			}
		}
		if len(finished[p]) != c.machines {
			problems = append(problems, fmt.Sprintf("%s finished for %d machines, want %d", p, len(finished[p]), c.machines))
		}
	}
	if r, d := st.Events[bmdb.Recover.Name][bmdb.EventFinished], st.Events[bmdb.Initialize.Name][bmdb.EventDropped]; r != d {
		problems = append(problems, fmt.Sprintf("%d recoveries for %d broken installs", r, d))
	}
	problems = append(problems, repeated(prov, finished)...)
	fmt.Printf("  provider: %d requests answered again from their first answer (repeats deduped)\n", prov.Replays())
	if len(problems) > 0 {
		return fmt.Errorf("wrong result: %v", problems)
	}
	log.Info("result checked: every machine ready, provisioned and initialized exactly once")
	return nil
}

// repeated lists the side effects the provider repeated: a machine provisioned more than once,
// or installed on more than once plus once per recovery (each repair makes the next install
// a new request).
func repeated(prov *bmdb.Provider, finished map[string]map[string]int) []string {
	var problems []string
	for m, n := range prov.Effects(bmdb.OpProvision) {
		if n != 1 {
			problems = append(problems, fmt.Sprintf("%s provisioned %d times", m, n))
		}
	}
	for m, n := range prov.Effects(bmdb.OpInstall) {
		if want := 1 + finished[bmdb.Recover.Name][m]; n != want {
			problems = append(problems, fmt.Sprintf("%s installed on %d times, want %d", m, n, want))
		}
	}
	return problems
}

// finishes counts the finished events per process and machine.
func finishes(hist []bmdb.Event) map[string]map[string]int {
	finished := map[string]map[string]int{}
	for _, e := range hist {
		if e.Event != bmdb.EventFinished {
			continue
		}
		if finished[e.Process] == nil {
			finished[e.Process] = map[string]int{}
		}
		finished[e.Process][e.Machine]++
	}
	return finished
}
