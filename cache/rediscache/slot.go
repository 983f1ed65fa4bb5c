package rediscache

// slot is the Redis Cluster hash slot of key: CRC16 (XMODEM) of the key, or of the part
// between the first "{" and the next "}" when that part is not empty, modulo 16384.
func slot(key string) uint16 {
	if i := indexByte(key, '{'); i >= 0 {
		if j := indexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return crc16(key) & 16383
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

func crc16(s string) uint16 {
	var c uint16
	for i := 0; i < len(s); i++ {
		c = c<<8 ^ crcTable[byte(c>>8)^s[i]]
	}
	return c
}

// sameSlot reports whether every key hashes to one slot (a multi-key script is allowed).
func sameSlot(keys []string) bool {
	if len(keys) < 2 {
		return true
	}
	s := slot(keys[0])
	for _, k := range keys[1:] {
		if slot(k) != s {
			return false
		}
	}
	return true
}
