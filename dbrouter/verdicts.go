package dbrouter

import (
	"hash/maphash"
	"sync/atomic"
)

const (
	verdictSlots    = 1024 // power of two
	maxVerdictQuery = 4096 // longer statements are classified on every call
)

// verdicts memoises IsRead for the statements a router sees. An application sends the same few
// hundred statements over and over, so the verdict of a repeated statement costs one hash and
// one string comparison instead of a scan. A slot holds the statement itself, so a hit is exact:
// a statement is never judged by another's verdict. Slots are overwritten on collision; the
// table holds at most verdictSlots statements of at most maxVerdictQuery bytes.
type verdicts struct {
	seed  maphash.Seed
	slots [verdictSlots]atomic.Pointer[verdict]
}

type verdict struct {
	query string
	read  bool
}

func (v *verdicts) init() { v.seed = maphash.MakeSeed() }

// isRead is IsRead(query), memoised.
func (v *verdicts) isRead(query string) bool {
	if len(query) > maxVerdictQuery {
		return IsRead(query)
	}
	slot := &v.slots[maphash.String(v.seed, query)&(verdictSlots-1)]
	if e := slot.Load(); e != nil && e.query == query {
		return e.read
	}
	read := IsRead(query)
	slot.Store(&verdict{query: query, read: read})
	return read
}
