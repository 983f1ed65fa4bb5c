package logging_test

import (
	"os"

	"github.com/buttress-go/buttress/logging"
)

func ExampleNew() {
	l := logging.New(os.Stdout, &logging.Config{
		Service:       "shop",
		Version:       "1.4.2",
		Environment:   "prod",
		Level:         "info,dbrouter=debug",
		OmitTimestamp: true, // for a stable example; keep timestamps in production
	})
	l.Debug().Msg("hidden: the default level is info")
	l.Info().Int("port", 8080).Msg("listening")
	// Output:
	// {"level":"info","service":"shop","version":"1.4.2","env":"prod","port":8080,"message":"listening"}
}

func ExampleComponent() {
	l := logging.New(os.Stdout, &logging.Config{Level: "warn,dbrouter=debug", OmitTimestamp: true})
	db := logging.Component(l, "dbrouter")
	db.Debug().Str("node", "replica-1").Msg("picked")
	jobs := logging.Component(l, "jobs")
	jobs.Info().Msg("hidden: jobs has the default level, warn")
	// Output:
	// {"level":"debug","component":"dbrouter","node":"replica-1","message":"picked"}
}

func ExampleNew_ecs() {
	l := logging.New(os.Stdout, &logging.Config{Service: "shop", Schema: logging.SchemaECS, OmitTimestamp: true})
	l.Info().Msg("ready")
	// Output:
	// {"level":"info","service.name":"shop","message":"ready"}
}

func ExampleParseLevels() {
	lv, err := logging.ParseLevels("info,dbrouter=debug")
	if err != nil {
		panic(err)
	}
	println := func(a ...any) { _, _ = os.Stdout.WriteString(a[0].(string) + "\n") }
	println(lv.For("dbrouter").String())
	println(lv.For("cache").String())
	_, err = logging.ParseLevels("info,dbrouter=loud")
	println(err.Error())
	// Output:
	// debug
	// info
	// component "dbrouter": logging: invalid level: unknown level "loud" (want trace, debug, info, warn, error, fatal, panic or disabled)
}
