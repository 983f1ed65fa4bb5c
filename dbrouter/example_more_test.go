package dbrouter_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/buttress-go/buttress/dbrouter"
)

func ExampleMiddleware() {
	key := []byte("a-32-byte-secret-from-your-vault") // at least 16 bytes
	mw, err := dbrouter.Middleware(key, &dbrouter.MiddlewareConfig{TTL: 5 * time.Minute})
	if err != nil {
		panic(err)
	}
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Queries through a Router with r.Context() record and honour the user's session.
		sess, _ := dbrouter.SessionFrom(r.Context())
		sess.Merge(dbrouter.Token{LSN: 0x3000148}) // what a write through the router does
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/orders", nil))
	c := rec.Result().Cookies()[0]
	tok, _ := dbrouter.ParseToken([][]byte{key}, c.Value, time.Now())
	fmt.Println(c.Name, c.HttpOnly, tok.LSN)
	// Output: dbr_rw true 0/3000148
}

func ExampleNewShards() {
	ctx := context.Background()
	var clusters []*dbrouter.Router
	for _, name := range []string{"shard_a", "shard_b"} {
		primary, replica := exampleDBs("example_" + name)
		defer primary.Close()
		defer replica.Close()
		r, _ := dbrouter.New(ctx, dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: replica}}, nil)
		clusters = append(clusters, r)
	}
	shards, _ := dbrouter.NewShards(clusters, nil)
	defer shards.Close()

	a, _ := shards.Index("tenant-1")
	b, _ := shards.Index("tenant-2")
	fmt.Println(a, b)
	ctx, _ = shards.WithShard(ctx, "tenant-1") // fixed for the rest of the request
	_, err := shards.WithShard(ctx, "tenant-2")
	fmt.Println(err)
	// Output:
	// 1 0
	// dbrouter: cross-shard request refused: ctx is on shard 1, key "tenant-2" belongs to shard 0
}

func ExampleEncodeToken() {
	key := []byte("0123456789abcdef")
	s := dbrouter.EncodeToken(key, dbrouter.Token{LSN: 42}, time.Now().Add(time.Minute))
	tok, err := dbrouter.ParseToken([][]byte{key}, s, time.Now())
	fmt.Println(uint64(tok.LSN), err)
	_, err = dbrouter.ParseToken([][]byte{[]byte("another-key-0123")}, s, time.Now())
	fmt.Println(err)
	// Output:
	// 42 <nil>
	// dbrouter: invalid session token: bad signature
}

func ExampleNewSession() {
	// A background job continuing a user's work carries the user's token in its arguments.
	tok := dbrouter.Token{LSN: 0x3000148}
	ctx := dbrouter.WithSession(context.Background(), dbrouter.NewSession(tok))
	sess, _ := dbrouter.SessionFrom(ctx)
	sess.Merge(dbrouter.Token{LSN: 0x3000000}) // positions only move forward
	fmt.Println(sess.Token().LSN)
	// Output: 0/3000148
}

func ExampleWithMaxStaleness() {
	primary, replica := exampleDBs("example_staleness")
	defer primary.Close()
	defer replica.Close()
	r, _ := dbrouter.New(context.Background(), dbrouter.Node{DB: primary}, []dbrouter.Node{{DB: replica}}, nil)
	defer r.Close()
	// A checkout page accepts at most 100ms of replication lag; SQLite replicas report none.
	ctx := dbrouter.WithMaxStaleness(context.Background(), 100*time.Millisecond)
	fmt.Println(r.Reader(ctx) == replica)
	// Output: true
}
