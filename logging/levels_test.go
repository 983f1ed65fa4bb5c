package logging

import (
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestParseLevels(t *testing.T) {
	t.Parallel()
	lv, err := ParseLevels("")
	require.NoError(t, err)
	require.Equal(t, zerolog.InfoLevel, lv.Default)

	lv, err = ParseLevels(" INFO , dbrouter = debug,jobs=warn,")
	require.NoError(t, err)
	require.Equal(t, zerolog.InfoLevel, lv.Default)
	require.Equal(t, zerolog.DebugLevel, lv.For("dbrouter"))
	require.Equal(t, zerolog.WarnLevel, lv.For("jobs"))
	require.Equal(t, zerolog.InfoLevel, lv.For("cache"))

	lv, err = ParseLevels("dbrouter=trace")
	require.NoError(t, err)
	require.Equal(t, zerolog.InfoLevel, lv.Default)
	require.Equal(t, zerolog.TraceLevel, lv.For("dbrouter"))

	lv, err = ParseLevels("off")
	require.NoError(t, err)
	require.Equal(t, zerolog.Disabled, lv.Default)

	for _, bad := range []string{"verbose", "info,debug", "=debug", "db=loud", "db=info,db=warn"} {
		_, err := ParseLevels(bad)
		require.ErrorIs(t, err, ErrInvalidLevel, bad)
	}
}
