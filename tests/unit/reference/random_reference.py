#!/usr/bin/env python3
"""Independent reference for src/core/random.hpp, written from the published xoshiro256** and splitmix64 algorithms.
Prints the values that tests/unit/test_random.cpp expects: python3 tests/unit/reference/random_reference.py"""
M = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
    return x ^ (x >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


class Xoshiro256ss:
    def __init__(self, seed):
        self.s, x = [], seed
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M
            self.s.append(splitmix64(x))

    def next(self):
        s = self.s
        out = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return out

    def below(self, n):  # Lemire's nearly divisionless method
        m = self.next() * n
        if (m & M) < n:
            threshold = ((1 << 64) - n) % n
            while (m & M) < threshold:
                m = self.next() * n
        return m >> 64


def stream(seed, a, b, c):
    h = splitmix64(seed)
    h = splitmix64(h ^ a)
    h = splitmix64(h ^ ((b + 0x632BE59BD9B4E019) & M))
    return splitmix64(h ^ ((c + 0x8CB92BA72F3D8DD7) & M))


if __name__ == "__main__":
    for seed in (1, 42):
        r = Xoshiro256ss(seed)
        print(seed, [hex(r.next()) for _ in range(3)])
    r = Xoshiro256ss(7)
    print("below(10)", [r.below(10) for _ in range(10)])
    r = Xoshiro256ss(7)
    print("uniform", [repr((r.next() >> 11) * 2.0 ** -53) for _ in range(2)])
    print("stream(1,2,3,4) seed", hex(stream(1, 2, 3, 4)))
