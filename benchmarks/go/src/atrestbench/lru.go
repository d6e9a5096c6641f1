package atrestbench

import (
	"container/list"
	"time"
)

// lruCache holds unwrapped DEKs (kms v1) and seeds (kms v2) as ready transformers, keyed by
// their wrapped form: at most capacity entries, the least recently used dropped first, entries
// older than ttl (0: never) dropped when touched. A capacity <= 0 stores nothing.
type lruCache[V any] struct {
	capacity int
	ttl      time.Duration
	order    *list.List // front: most recently used
	items    map[string]*list.Element
}

type lruEntry[V any] struct {
	key      string
	value    V
	storedAt time.Time
}

func newLRU[V any](capacity int, ttl time.Duration) *lruCache[V] {
	return &lruCache[V]{capacity: capacity, ttl: ttl, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the value stored under key and marks it most recently used.
func (c *lruCache[V]) get(key []byte) (V, bool) {
	var zero V
	el, ok := c.items[string(key)] // no allocation: the compiler looks up the bytes directly
	if !ok {
		return zero, false
	}
	e := el.Value.(*lruEntry[V])
	if c.ttl > 0 && time.Since(e.storedAt) >= c.ttl {
		c.order.Remove(el)
		delete(c.items, e.key)
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

// set stores value as the most recently used entry, evicting beyond capacity.
func (c *lruCache[V]) set(key string, value V) {
	if c.capacity <= 0 {
		return
	}
	if el, ok := c.items[key]; ok {
		e := el.Value.(*lruEntry[V])
		e.value, e.storedAt = value, time.Now()
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry[V]{key: key, value: value, storedAt: time.Now()})
	for c.order.Len() > c.capacity {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*lruEntry[V]).key)
	}
}
