package rediscache

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/buttress-go/buttress/cache"
)

// encode serialises e for key.
func (s *Store) encode(e *cache.Entry, vc cache.ValueCodec) (raw []byte, nonce uint64, err error) {
	if len(e.Tags) != len(e.Versions) {
		return nil, 0, fmt.Errorf("rediscache: entry has %d tags but %d versions", len(e.Tags), len(e.Versions))
	}
	for _, t := range e.Tags {
		if t == "" {
			return nil, 0, cache.ErrEmptyTag
		}
	}
	if len(e.Tags) > maxTags {
		return nil, 0, fmt.Errorf("rediscache: entry has %d tags, at most %d allowed", len(e.Tags), maxTags)
	}
	var payload []byte
	if !e.Negative {
		payload, err = vc.Encode(e.Value)
		if err != nil {
			return nil, 0, err
		}
	}
	nonce = newVersion()
	return encodeEntry(e, nonce, payload), nonce, nil
}

// ttl is the server-side lifetime of e: until ExpiresAt, at least 1 ms.
func ttl(e *cache.Entry) time.Duration {
	return max(time.Until(time.Unix(0, e.ExpiresAt())), time.Millisecond)
}

// remember records this process's own write (see ownWrites) and keeps its decoded value in the
// memo.
func (s *Store) remember(key string, nonce uint64, e *cache.Entry) {
	s.own.mark(key, nonce)
	s.memo.Set(key, s.newMemo(nonce, e))
}

// Set stores e under key.
func (s *Store) Set(ctx context.Context, k cache.Key, e *cache.Entry, vc cache.ValueCodec) error {
	raw, nonce, err := s.encode(e, vc)
	if err != nil {
		return err
	}
	key := s.entryKey(k)
	cmd := s.client.B().Set().Key(key).Value(rueidis.BinaryString(raw)).Px(ttl(e)).Build()
	if err := s.client.Do(ctx, cmd).Error(); err != nil {
		return err
	}
	s.remember(key, nonce, e)
	return nil
}

// SetMany stores each entry under its key in one pipelined round trip.
func (s *Store) SetMany(ctx context.Context, keys []cache.Key, es []*cache.Entry, vc cache.ValueCodec) error {
	if len(keys) != len(es) {
		return cache.ErrMismatch
	}
	cmds := make(rueidis.Commands, len(keys))
	names := make([]string, len(keys))
	nonces := make([]uint64, len(keys))
	for i, k := range keys {
		raw, nonce, err := s.encode(es[i], vc)
		if err != nil {
			return err
		}
		names[i], nonces[i] = s.entryKey(k), nonce
		cmds[i] = s.client.B().Set().Key(names[i]).Value(rueidis.BinaryString(raw)).Px(ttl(es[i])).Build()
	}
	var first error
	for i, r := range s.client.DoMulti(ctx, cmds...) {
		if err := r.Error(); err != nil {
			first = cmp(first, err)
			continue
		}
		s.remember(names[i], nonces[i], es[i])
	}
	return first
}

func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// fillScript stores the entry only if every tag key still holds the expected version.
var fillScript = rueidis.NewLuaScript(`
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`)

// Fill stores e only if the tag versions it carries are still current, atomically (a Lua
// compare). In Redis Cluster, when the entry and its tag keys live in different slots, the
// script cannot run: the entry is then written unconditionally, which is still safe because it
// carries the versions read before the load and every read compares them.
func (s *Store) Fill(ctx context.Context, k cache.Key, e *cache.Entry, vc cache.ValueCodec) (bool, error) {
	raw, nonce, err := s.encode(e, vc)
	if err != nil {
		return false, err
	}
	key := s.entryKey(k)
	if len(e.Tags) == 0 {
		return true, s.Set(ctx, k, e, vc)
	}
	keys := make([]string, 1+len(e.Tags))
	keys[0] = key
	args := make([]string, 2+len(e.Tags))
	args[0] = rueidis.BinaryString(raw)
	args[1] = fmt.Sprint(ttl(e).Milliseconds())
	for i, t := range e.Tags {
		keys[i+1] = s.tagKey(t)
		args[i+2] = formatVersion(e.Versions[i])
	}
	if s.cluster && !sameSlot(keys) {
		cmd := s.client.B().Set().Key(key).Value(args[0]).Px(ttl(e)).Build()
		if err := s.client.Do(ctx, cmd).Error(); err != nil {
			return false, err
		}
		s.remember(key, nonce, e)
		return true, nil
	}
	n, err := fillScript.Exec(ctx, s.client, keys, args).AsInt64()
	if err != nil {
		return false, err
	}
	if n == 1 {
		s.remember(key, nonce, e)
	}
	return n == 1, nil
}

// Delete removes keys (one pipelined round trip).
func (s *Store) Delete(ctx context.Context, keys ...cache.Key) error {
	s.epoch.Add(1)
	cmds := make(rueidis.Commands, len(keys))
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = s.entryKey(k)
		cmds[i] = s.client.B().Unlink().Key(names[i]).Build()
	}
	var first error
	for _, r := range s.client.DoMulti(ctx, cmds...) {
		first = cmp(first, r.Error())
	}
	for _, n := range names {
		s.own.mark(n, tokAbsent)
		s.memo.Invalidate(n)
	}
	return first
}

// TagVersions returns the current version of each tag, creating missing tag keys (SET NX GET:
// if another process created one first, its version wins).
func (s *Store) TagVersions(ctx context.Context, tags []string) ([]uint64, error) {
	for _, t := range tags {
		if t == "" {
			return nil, cache.ErrEmptyTag
		}
	}
	vers, err := s.readTags(ctx, tags)
	if err != nil {
		return nil, err
	}
	var missing []int
	var cmds rueidis.Commands
	var created []uint64
	for i, v := range vers {
		if v != 0 {
			continue
		}
		nv := newVersion()
		b := s.client.B().Set().Key(s.tagKey(tags[i])).Value(formatVersion(nv)).Nx().Get()
		if s.cfg.TagTTL > 0 {
			cmds = append(cmds, b.Px(s.cfg.TagTTL).Build())
		} else {
			cmds = append(cmds, b.Build())
		}
		missing = append(missing, i)
		created = append(created, nv)
	}
	if len(cmds) == 0 {
		return vers, nil
	}
	written := make([]string, 0, len(cmds))
	defer func() { s.wroteTags(written) }()
	for j, r := range s.client.DoMulti(ctx, cmds...) {
		old, err := r.ToString()
		switch {
		case rueidis.IsRedisNil(err):
			vers[missing[j]] = created[j]
		case err != nil:
			return nil, err
		default:
			if vers[missing[j]] = parseVersion(old); vers[missing[j]] == 0 {
				// The key holds bytes that are not a version (written by something else): replace
				// them with a fresh version, an invalidation of whatever carried them.
				cmd := s.client.B().Set().Key(s.tagKey(tags[missing[j]])).Value(formatVersion(created[j]))
				var err error
				if s.cfg.TagTTL > 0 {
					err = s.client.Do(ctx, cmd.Px(s.cfg.TagTTL).Build()).Error()
				} else {
					err = s.client.Do(ctx, cmd.Build()).Error()
				}
				if err != nil {
					return nil, err
				}
				vers[missing[j]] = created[j]
			}
		}
		// Created here or just read from the server: either way newer than a cached miss.
		k := s.tagKey(tags[missing[j]])
		s.own.mark(k, vers[missing[j]])
		written = append(written, k)
	}
	return vers, nil
}

// InvalidateTags writes a new random version to each tag key: one pipelined round trip whatever
// the number of tags and of entries carrying them.
func (s *Store) InvalidateTags(ctx context.Context, tags ...string) error {
	for _, t := range tags {
		if t == "" {
			return cache.ErrEmptyTag
		}
	}
	s.epoch.Add(1)
	cmds := make(rueidis.Commands, len(tags))
	keys := make([]string, len(tags))
	vers := make([]uint64, len(tags))
	for i, t := range tags {
		keys[i] = s.tagKey(t)
		vers[i] = newVersion()
		b := s.client.B().Set().Key(keys[i]).Value(formatVersion(vers[i]))
		if s.cfg.TagTTL > 0 {
			cmds[i] = b.Px(s.cfg.TagTTL).Build()
		} else {
			cmds[i] = b.Build()
		}
	}
	var first error
	for i, r := range s.client.DoMulti(ctx, cmds...) {
		tok := vers[i]
		if err := r.Error(); err != nil {
			first = cmp(first, err)
			tok = tokUnknown // may or may not have been applied: read from the server
		}
		s.own.mark(keys[i], tok)
	}
	s.wroteTags(keys)
	return first
}

// wroteTags tells the tag layer (Open) that this process wrote keys, after ownWrites.mark: a
// version it holds or is about to store from an earlier read may predate the write.
func (s *Store) wroteTags(keys []string) {
	if s.tags != nil && len(keys) > 0 {
		s.tags.forget(keys)
	}
}
