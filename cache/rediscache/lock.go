package rediscache

import (
	"context"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/buttress-go/buttress/cache"
)

// lockWaits maps Redis keys to channels closed when Redis pushes an invalidation of the key
// (it changed, was deleted or expired) or when the client-side cache is flushed.
type lockWaits struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

func newLockWaits() *lockWaits { return &lockWaits{m: make(map[string]chan struct{})} }

func (l *lockWaits) register(key string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch := l.m[key]
	if ch == nil {
		ch = make(chan struct{})
		l.m[key] = ch
	}
	return ch
}

// invalidated is the rueidis OnInvalidations hook; nil means every key.
func (l *lockWaits) invalidated(msgs []rueidis.RedisMessage) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if msgs == nil {
		for k, ch := range l.m {
			close(ch)
			delete(l.m, k)
		}
		return
	}
	for _, m := range msgs {
		k, err := m.ToString()
		if err != nil {
			continue
		}
		if ch := l.m[k]; ch != nil {
			close(ch)
			delete(l.m, k)
		}
	}
}

var releaseScript = rueidis.NewLuaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`)

func (s *Store) lockKey(k cache.Key) string {
	return s.cfg.Prefix + "l:" + k.Namespace + ":" + k.Name
}

// AwaitFill implements cache.FillLocker (with Config.FillLock): it takes the fill lock of key
// (SET NX PX with a random owner token), or waits until the holder's fill lands, the lock is
// released or expires — woken by Redis's invalidation push on the lock or entry key, never by
// polling — and returns the stored entry. After Config.FillLockWait it gives up and lets the
// caller load.
func (s *Store) AwaitFill(ctx context.Context, k cache.Key, vc cache.ValueCodec) (*cache.Entry, bool, func(), error) {
	if s.locks == nil {
		return nil, false, nil, nil
	}
	lk, key := s.lockKey(k), s.entryKey(k)
	token := formatVersion(newVersion())
	timer := time.NewTimer(s.cfg.FillLockWait)
	defer timer.Stop()
	waited := false
	for {
		err := s.client.Do(ctx, s.client.B().Set().Key(lk).Value(token).Nx().Px(s.cfg.FillLockTTL).Build()).Error()
		if err == nil {
			release := func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				releaseScript.Exec(ctx, s.client, []string{lk}, []string{token})
			}
			// Another process may have filled the key between our miss and the lock.
			if e, err := s.Get(ctx, k, vc); err == nil && e != nil {
				release()
				return e, true, nil, nil
			}
			return nil, false, release, nil
		}
		if !rueidis.IsRedisNil(err) {
			return nil, false, nil, err
		}
		// Held by someone else: subscribe (register, then a tracked read) to the lock key and
		// the entry key, then check whether the fill already landed.
		lockCh, entryCh := s.locks.register(lk), s.locks.register(key)
		if err := s.client.DoCache(ctx, s.client.B().Get().Key(lk).Cache(), s.cfg.FillLockTTL).Error(); err != nil {
			if rueidis.IsRedisNil(err) {
				continue // released meanwhile: try again
			}
			return nil, false, nil, err
		}
		if waited {
			e, err := s.Get(ctx, k, vc)
			if err != nil {
				return nil, false, nil, err
			}
			if e != nil {
				return e, true, nil, nil
			}
		}
		waited = true
		select {
		case <-lockCh:
		case <-entryCh:
		case <-ctx.Done():
			return nil, false, nil, ctx.Err()
		case <-timer.C:
			return nil, false, nil, nil
		}
		e, err := s.Get(ctx, k, vc)
		if err != nil {
			return nil, false, nil, err
		}
		if e != nil {
			return e, true, nil, nil
		}
	}
}
