package jobs_test

import (
	"testing"
	"time"

	"github.com/buttress-go/buttress/jobs"
	"github.com/stretchr/testify/require"
)

func TestParseCron(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 24, 10, 17, 30, 0, time.UTC) // a Tuesday
	cases := []struct {
		expr string
		next time.Time
	}{
		{"* * * * *", time.Date(2026, 11, 24, 10, 18, 0, 0, time.UTC)},
		{"*/15 * * * *", time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)},
		{"*/2 * * * * *", time.Date(2026, 11, 24, 10, 17, 32, 0, time.UTC)},
		{"0 9 * * *", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)},
		{"0 9,17 * * mon-fri", time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)},
		{"30 8 1 jan *", time.Date(2027, 1, 1, 8, 30, 0, 0, time.UTC)},
		{"0 0 * * 7", time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},    // 7 is Sunday
		{"0 0 13 * fri", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}, // either day field matches
		{"0 0 29 2 *", time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"@hourly", time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		{"10-20/5 * * * *", time.Date(2026, 11, 24, 10, 20, 0, 0, time.UTC)},
		{"5/20 * * * *", time.Date(2026, 11, 24, 10, 25, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		s, err := jobs.ParseCron(tc.expr)
		require.NoError(t, err, tc.expr)
		require.Equal(t, tc.next, s.Next(at), tc.expr)
		require.Equal(t, tc.next, s.Prev(tc.next), "Prev of a firing is itself: %s", tc.expr)
		require.True(t, s.Prev(tc.next.Add(-time.Second)).Before(tc.next), tc.expr)
		require.Equal(t, tc.expr, s.String())
	}
	for _, bad := range []string{"", "* * * *", "* * * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
		"* * * 13 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "@fortnightly", "0 0 30 2 *", "1,,2 * * * *"} {
		_, err := jobs.ParseCron(bad)
		require.ErrorIs(t, err, jobs.ErrInvalidCron, "%q", bad)
		require.Contains(t, err.Error(), `"`+bad+`"`)
	}
}
