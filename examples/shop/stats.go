package main

import (
	"context"
	"net/http"
	"time"
)

type cacheStats struct {
	Hits, Misses, Invalidations uint64
	Ratio                       float64
}

type nodeStats struct {
	Name, Role string
	Queries    uint64
	Healthy    bool
}

type jobState struct {
	State string `db:"state"`
	Count int64  `db:"count"`
}

type limitStats struct{ Allowed, Rejected uint64 }

// handleStats is the admin's live view of the building blocks at work.
func (a *app) handleStats(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	ps, cs := a.pages.Stats(), a.products.Stats()
	c := cacheStats{Hits: ps.Hits + cs.Hits, Misses: ps.Misses + cs.Misses, Invalidations: cs.Invalidations}
	if c.Hits+c.Misses > 0 {
		c.Ratio = 100 * float64(c.Hits) / float64(c.Hits+c.Misses)
	}
	var nodes []nodeStats
	for _, n := range a.db.Stats().Nodes {
		nodes = append(nodes, nodeStats{Name: n.Name, Role: string(n.Role), Queries: n.Queries, Healthy: n.Healthy})
	}
	var states []jobState
	if err := a.db.Writer().SelectContext(ctx, &states,
		`SELECT state, count(*) AS count FROM river_job GROUP BY state ORDER BY state`); err != nil {
		a.serverError(w, r, err)
		return
	}
	ls := a.limiter.Stats()
	best, err := listBestSellers(ctx, a.db)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	a.render(w, r, http.StatusOK, "stats.html", struct {
		page
		Cache       cacheStats
		Nodes       []nodeStats
		Jobs        []jobState
		Limits      limitStats
		BestSellers []BestSeller
	}{a.newPage(r, "Live stats"), c, nodes, states, limitStats{ls.Allowed, ls.Limited}, best})
}
