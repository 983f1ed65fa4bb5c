package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

// Redis returns a client of the shared Redis server and a key prefix unique to this test
// ("t_<test>_<random>:"). The client is closed, and every key under the prefix deleted, when the
// test ends. Client-side caching is enabled by rueidis's default (RESP3 tracking).
func Redis(t testing.TB) (rueidis.Client, string) {
	t.Helper()
	addr := RedisAddr(t)
	client := NewRedisClient(t, addr)
	prefix := UniqueName(t) + ":"
	t.Cleanup(func() { deleteKeys(client, prefix) })
	return client, prefix
}

// NewRedisClient opens a rueidis client to addr, closed when the test ends.
func NewRedisClient(t testing.TB, addr string) rueidis.Client {
	t.Helper()
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	if err != nil {
		t.Fatalf("testenv: connect to redis %s: %v (is `make services` running?)", addr, err)
	}
	t.Cleanup(client.Close)
	return client
}

// KeyPrefix returns a Redis key prefix unique to this test, without a client.
func KeyPrefix(t testing.TB) string { t.Helper(); return UniqueName(t) + ":" }

func deleteKeys(client rueidis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var cursor uint64
	for {
		e, err := client.Do(ctx, client.B().Scan().Cursor(cursor).Match(prefix+"*").Count(1000).Build()).AsScanEntry()
		if err != nil {
			return
		}
		if len(e.Elements) > 0 {
			client.Do(ctx, client.B().Unlink().Key(e.Elements...).Build())
		}
		if e.Cursor == 0 {
			return
		}
		cursor = e.Cursor
	}
}

// RedisServer is a redis-server private to one test, on its own loopback port, which the test may
// stop, restart or disconnect without disturbing any other test. Get one with [StartRedis].
type RedisServer struct {
	// Addr is the server's host:port; it stays the same across Stop and Start.
	Addr string

	t    testing.TB
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedis starts a private redis-server (no persistence) on a free loopback port and stops it
// when the test ends. It skips like the other helpers when `make services` has not run, so a
// missing redis-server is reported the same way.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	RedisAddr(t) // same skip/require rule as the shared server
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("testenv: redis-server not on PATH: %v (make services installs it)", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("testenv: free port: %v", err)
	}
	s := &RedisServer{t: t, dir: t.TempDir(), port: port, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts the server (if stopped) on its port and waits until it answers PING.
func (s *RedisServer) Start(ctx context.Context) error {
	if s.cmd != nil {
		return nil
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(s.port),
		"--save", "", "--appendonly", "no", "--dir", s.dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logf.Close(); close(done) }()
	s.cmd, s.done = cmd, done
	for {
		if err := ping(ctx, s.Addr); err == nil {
			return nil
		}
		select {
		case <-done:
			s.cmd = nil
			return fmt.Errorf("redis-server on %s exited at start (read %s)", s.Addr, filepath.Join(s.dir, "redis.log"))
		case <-ctx.Done():
			return fmt.Errorf("redis-server on %s did not answer: %w", s.Addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop kills the server (SIGKILL, like a crash) and waits for it to exit. Data is lost: the
// server keeps nothing on disk.
func (s *RedisServer) Stop() error {
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
	return nil
}

// Running reports whether the server process is up.
func (s *RedisServer) Running() bool { return s.cmd != nil }

// KillClients closes every normal client connection to the server (CLIENT KILL TYPE normal)
// and returns how many it closed. Clients see a broken connection and must reconnect.
func (s *RedisServer) KillClients(ctx context.Context) (int64, error) {
	return KillRedisClients(ctx, s.Addr)
}

// KillRedisClients runs CLIENT KILL TYPE normal on the server at addr, through a connection of its
// own that it skips (SKIPME yes), and returns how many connections were closed.
func KillRedisClients(ctx context.Context, addr string) (int64, error) {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.Do(ctx, c.B().ClientKill().TypeNormal().Build()).AsInt64()
}

func ping(ctx context.Context, addr string) error {
	var d net.Dialer
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	n, err := conn.Read(buf)
	if err != nil {
		return err
	}
	if string(buf[:n]) != "+PONG\r\n" {
		return errors.New("unexpected PING reply " + strconv.Quote(string(buf[:n])))
	}
	return nil
}
