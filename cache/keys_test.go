package cache

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeys(t *testing.T) {
	t.Parallel()
	k := newKeyer("app", 3, 10)
	got, err := k.key("short")
	require.NoError(t, err)
	require.Equal(t, Key{Namespace: "app:3", Name: "short"}, got)
	require.Equal(t, "app:3:short", got.String())
	_, err = k.key("")
	require.ErrorIs(t, err, ErrEmptyKey)
	long, err := k.key(strings.Repeat("x", 11))
	require.NoError(t, err)
	require.Equal(t, "app:3#", long.Namespace, "hashed keys live in a namespace no caller key reaches")
	require.Len(t, long.Name, 64)
	long2, err := k.key(strings.Repeat("x", 12))
	require.NoError(t, err)
	require.NotEqual(t, long, long2)
}

// FuzzKey: any caller key maps to a valid store key, distinct keys to distinct store keys.
func FuzzKey(f *testing.F) {
	f.Add("product:42", "product:43")
	f.Add(strings.Repeat("k", 300), strings.Repeat("k", 301))
	f.Add("a", "")
	k := newKeyer("p", 1, 64)
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, errA := k.key(a)
		kb, errB := k.key(b)
		if (errA != nil) != (a == "") || (errB != nil) != (b == "") {
			t.Fatalf("error mismatch: %v %v", errA, errB)
		}
		if errA != nil || errB != nil {
			return
		}
		if len(ka.Name) > 64 || len(kb.Name) > 64 {
			t.Fatal("name longer than the limit")
		}
		if a != b && ka == kb {
			t.Fatalf("%q and %q collide", a, b)
		}
	})
}
