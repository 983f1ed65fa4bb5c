package rediscache

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/buttress-go/buttress/cache"
	"github.com/buttress-go/buttress/internal/testenv"
)

// TestEntryCmdCollisions: far more keys than slots, so slots are shared and overwritten; every
// lookup must still give its own key's Redis key and GET command, never a neighbour's.
func TestEntryCmdCollisions(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.Redis(t)
	s, err := New(client, &Config{Prefix: prefix, MemoEntries: 1})
	require.NoError(t, err)
	require.Len(t, s.keys.slots, 1024)
	for round := range 2 {
		for i := range 5000 {
			k := cache.Key{Namespace: fmt.Sprintf("ns%d", i%3), Name: fmt.Sprintf("k%d", i)}
			kc := s.entryCmd(k)
			require.Equal(t, s.entryKey(k), kc.key, "round %d key %v", round, k)
			require.Equal(t, []string{"GET", kc.key}, kc.get.Commands())
			require.Same(t, kc, s.entryCmd(k), "a hot key reuses its command")
		}
	}
}
