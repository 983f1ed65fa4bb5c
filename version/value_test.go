package version

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		kind Kind
		out  string
	}{
		{"1", KindInteger, "1"},
		{"v1", KindInteger, "1"},
		{"V2", KindInteger, "2"},
		{"0", KindInteger, "0"},
		{"999999999", KindInteger, "999999999"},
		{"2.1", KindMajorMinor, "2.1"},
		{"v2.0", KindMajorMinor, "2.0"},
		{"10.12", KindMajorMinor, "10.12"},
		{"2024-06-01", KindDate, "2024-06-01"},
		{"v2024-06-01", KindDate, "2024-06-01"},
		{"2024-02-29", KindDate, "2024-02-29"},
		{"2000-02-29", KindDate, "2000-02-29"},
		{"0001-01-01", KindDate, "0001-01-01"},
	}
	for _, tc := range good {
		v, err := Parse(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.kind, v.Kind(), tc.in)
		require.Equal(t, tc.out, v.String(), tc.in)
		again, err := Parse(v.String())
		require.NoError(t, err)
		require.Equal(t, v, again, "String round-trips")
	}
	bad := map[string]string{
		"":                           "empty",
		"v":                          "want digits",
		"vv1":                        "want digits",
		"x1":                         "want digits",
		"1x":                         "unexpected character",
		"01":                         "leading zero",
		"1.01":                       "leading zero",
		"1.":                         "want digits",
		".1":                         "want digits",
		"1.2.3":                      "unexpected text",
		"-1":                         "want digits",
		"1234567890":                 "longer than 9 digits",
		"2023-02-29":                 "day out of range",
		"1900-02-29":                 "day out of range",
		"2024-13-01":                 "month out of range",
		"2024-00-10":                 "month out of range",
		"2024-04-31":                 "day out of range",
		"2024-06-00":                 "day out of range",
		"0000-01-01":                 "year out of range",
		"2024-6-01":                  "unexpected character",
		"2024-06-1x":                 "yyyy-mm-dd",
		"２":                          "want digits",
		" 1":                         "want digits",
		"1 ":                         "unexpected character",
		strings.Repeat("1", 40):      "longer than 32 bytes",
		"2024/06/01":                 "unexpected character",
		"v1\x00":                     "unexpected character",
		"1.999999999999":             "longer than 9 digits",
		"2024-06-01T00:00:00Z":       "unexpected character",
		"2024-06-01 ":                "unexpected character",
		"99999999999999999999.1":     "longer than 9 digits",
		"1e3":                        "unexpected character",
		"+1":                         "want digits",
		"0x10":                       "unexpected character",
		"2024-06-01-":                "unexpected character",
		"abcdefghijklmnopqrstuvwxyz": "want digits",
	}
	for in, why := range bad {
		_, err := Parse(in)
		require.Error(t, err, "%q", in)
		require.ErrorIs(t, err, ErrMalformed, in)
		var pe *ParseError
		require.True(t, errors.As(err, &pe))
		require.Contains(t, pe.Reason, why, "%q", in)
		require.Contains(t, err.Error(), "malformed API version")
	}
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	require.Equal(t, MustParse("3"), Int(3))
	require.Equal(t, MustParse("3.1"), MajorMinor(3, 1))
	d, err := Date(2024, 6, 1)
	require.NoError(t, err)
	require.Equal(t, MustParse("2024-06-01"), d)
	y, m, dd := d.YMD()
	require.Equal(t, [3]int{2024, 6, 1}, [3]int{y, m, dd})
	require.Equal(t, 0, d.Major())
	_, err = Date(2023, 2, 29)
	require.ErrorIs(t, err, ErrMalformed)
	_, err = Date(10000, 1, 1)
	require.ErrorIs(t, err, ErrMalformed)
	require.Equal(t, 3, MajorMinor(3, 1).Major())
	require.Equal(t, 1, MajorMinor(3, 1).Minor())
	y, _, _ = Int(3).YMD()
	require.Zero(t, y)
	require.Panics(t, func() { MustParse("nope") })
	require.True(t, Version{}.IsZero())
	require.Equal(t, "", Version{}.String())
	require.Equal(t, "none", Version{}.Kind().String())
	require.Equal(t, "integer", KindInteger.String())
	require.Equal(t, "major.minor", KindMajorMinor.String())
	require.Equal(t, "date", KindDate.String())
}

func TestCompareTotalOrder(t *testing.T) {
	t.Parallel()
	want := []string{"", "0", "1", "1.0", "1.1", "1.10", "2", "2.0", "10", "1999-12-31", "2024-01-01", "2024-06-01"}
	var vs []Version
	for _, s := range want {
		if s == "" {
			vs = append(vs, Version{})
			continue
		}
		vs = append(vs, MustParse(s))
	}
	shuffled := slices.Clone(vs)
	slices.Reverse(shuffled)
	slices.SortFunc(shuffled, Version.Compare)
	require.Equal(t, vs, shuffled)
	for i, a := range vs {
		for j, b := range vs {
			c := a.Compare(b)
			switch {
			case i < j:
				require.Equal(t, -1, c, "%s < %s", a, b)
				require.True(t, a.Before(b))
			case i > j:
				require.Equal(t, 1, c, "%s > %s", a, b)
				require.True(t, a.After(b))
			default:
				require.Zero(t, c)
			}
			require.Equal(t, c == 0, a == b, "Compare agrees with ==")
		}
	}
	require.True(t, MustParse("2").Same(MustParse("2.0")))
	require.True(t, MustParse("v2").Same(MustParse("2")))
	require.False(t, MustParse("2").Same(MustParse("2.1")))
	require.False(t, MustParse("2").Same(MustParse("2024-01-01")))
}

func TestTextMarshaling(t *testing.T) {
	t.Parallel()
	b, err := MustParse("v2.1").MarshalText()
	require.NoError(t, err)
	require.Equal(t, "2.1", string(b))
	var v Version
	require.NoError(t, v.UnmarshalText([]byte("2024-06-01")))
	require.Equal(t, KindDate, v.Kind())
	require.ErrorIs(t, v.UnmarshalText([]byte("june")), ErrMalformed)
}

func TestParseDoesNotAllocate(t *testing.T) {
	for _, s := range []string{"v2", "2.1", "2024-06-01"} {
		n := testing.AllocsPerRun(100, func() { _, _ = Parse(s) })
		require.Zero(t, n, s)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1", "v2", "2.1", "2024-06-01", "01", "2024-02-30", "v", "1.", "", "9999999999", "v2024-13-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q): error %v does not wrap ErrMalformed", s, err)
			}
			return
		}
		if v.IsZero() {
			t.Fatalf("Parse(%q) returned the zero Version without error", s)
		}
		if len(s) > MaxLen {
			t.Fatalf("Parse accepted %d bytes", len(s))
		}
		again, err := Parse(v.String())
		if err != nil || again != v {
			t.Fatalf("Parse(%q) = %v does not round-trip through %q: %v, %v", s, v, v.String(), again, err)
		}
		if v.Compare(again) != 0 || !v.Same(again) {
			t.Fatalf("%v not equal to itself", v)
		}
	})
}

func TestLooksLikeVersion(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"v2": true, "V2": true, "v2x": true, "2": true, "2.1": true, "2024-06-01": true, "2024-13-01": true, "01": true,
		"": false, "v": false, "vx": false, "products": false, "2fa": false, "3d-models": false, "-1": false, ".1": false,
	} {
		require.Equal(t, want, looksLikeVersion(s), s)
	}
}
