"""Draws the kernel logos (logo-32x32.png, logo-64x64.png) with the standard library only:
a dark-blue rounded square with a decaying learning-rate curve (exp(-3x)) and its step-schedule
shadow, anti-aliased by 4x4 supersampling. Run: python3 kernel/assets/make_logos.py"""
import math, struct, zlib, os

def png(path, size, pixels):
    raw = b"".join(b"\x00" + bytes(pixels[y * size * 4:(y + 1) * size * 4]) for y in range(size))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(data)

def sample(u, v):
    """Colour (r, g, b, a) at u, v in [0, 1]² (v down)."""
    r = 0.18  # corner radius
    cu, cv = min(max(u, r), 1 - r), min(max(v, r), 1 - r)
    if (u - cu) ** 2 + (v - cv) ** 2 > r * r:
        return (0, 0, 0, 0)
    x = (u - 0.15) / 0.7
    if 0 <= x <= 1:
        y = 0.2 + 0.6 * (1 - math.exp(-3 * x)) / (1 - math.exp(-3))    # smooth decay
        step = 0.2 + 0.6 * min(math.floor(x * 3) / 2, 1)               # step schedule
        if abs(v - y) < 0.055:
            return (255, 176, 32, 255)
        if abs(v - step) < 0.03:
            return (120, 200, 255, 255)
    return (22, 40, 84, 255)

def draw(size):
    out = []
    n = 4
    for y in range(size):
        for x in range(size):
            acc = [0.0] * 4
            for j in range(n):
                for i in range(n):
                    c = sample((x + (i + 0.5) / n) / size, (y + (j + 0.5) / n) / size)
                    a = c[3] / 255
                    for k in range(3):
                        acc[k] += c[k] * a
                    acc[3] += a
            a = acc[3] / (n * n)
            out += [round(acc[k] / acc[3]) if acc[3] else 0 for k in range(3)] + [round(a * 255)]
    return out

here = os.path.dirname(os.path.abspath(__file__))
for s in (32, 64):
    png(os.path.join(here, f"logo-{s}x{s}.png"), s, draw(s))
