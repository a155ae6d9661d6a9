"""Procedural cartoon faces: the course's offline stand-in for CelebA (colour, 64x64 after cropping).

Every face is drawn from a seed: skin tone, face shape, hair style and colour, eyes, brows, nose,
mouth, pose (turn and tilt), accessories (glasses, hat, earrings, beard) and a background. The
drawings are made at twice the size and scaled down, so edges are smooth like a photo's.
``draw_faces(root, count)`` writes them as PNGs in the ``ImageFolder`` layout (``root/faces/``).
"""
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..arguments import check_whole_number

FACE_SIZE = (80, 88)           # (width, height) of a saved face: Resize + CenterCrop still have work
SCALE = 2                      # drawn at twice the size, then scaled down (anti-aliasing)
SKIN = [(255, 224, 196), (241, 194, 160), (224, 172, 125), (198, 134, 92), (141, 85, 54),
        (101, 62, 40)]
HAIR = [(20, 16, 14), (60, 40, 28), (110, 70, 40), (180, 130, 70), (225, 200, 130),
        (160, 55, 30), (130, 130, 135), (235, 235, 235)]
IRIS = [(70, 45, 25), (40, 90, 160), (60, 120, 70), (25, 25, 25), (120, 100, 60)]
HAIR_STYLES = ("bald", "short", "fringe", "long", "bun", "curly", "side part")


def draw_face(rng: np.random.Generator) -> Image.Image:
    """One random face (RGB, ``FACE_SIZE``) drawn with ``rng``."""
    width, height = FACE_SIZE[0] * SCALE, FACE_SIZE[1] * SCALE
    image = _background(rng, width, height)
    head = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(head)
    face = _face_geometry(rng, width, height)
    _shoulders(draw, rng, face, width, height)
    hair_colour = HAIR[rng.integers(len(HAIR))] if rng.random() > 0.05 else tuple(rng.integers(40, 230, 3).tolist())
    style = HAIR_STYLES[rng.integers(len(HAIR_STYLES))]
    _hair_behind(draw, face, style, hair_colour)
    _head(draw, face)
    if style != "bald" and rng.random() < 0.15:
        _beard(draw, face, hair_colour)
    _features(draw, rng, face, hair_colour)
    _hair_front(draw, rng, face, style, hair_colour)
    _accessories(draw, rng, face)
    tilt = rng.normal(0, 6)                              # degrees; pivot at the neck
    head = head.rotate(tilt, resample=Image.BICUBIC, center=(face["cx"], face["cy"] + face["h"]))
    image.alpha_composite(head)
    return image.convert("RGB").resize(FACE_SIZE, Image.LANCZOS)


def draw_faces(root, count: int = 48, seed: int = 0, verbose: bool = False) -> Path:
    """Write ``count`` faces as PNGs into ``root/faces/`` (the ImageFolder layout) and return ``root``.

    The same seed and count always give the same files; existing files with the same names are
    replaced, so a second call costs time but never mixes two sets."""
    count = check_whole_number(count, "count")
    check_whole_number(seed, "seed", minimum=0)
    root = Path(root).expanduser()
    folder = root / "faces"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(count):
        draw_face(rng).save(folder / f"face_{i:05d}.png")
        if verbose and (i + 1) % 1000 == 0:
            print(f"  drew {i + 1} of {count} faces")
    return root


def _background(rng, width: int, height: int) -> Image.Image:
    """A vertical gradient between two random colours, sometimes with a soft light spot."""
    top, bottom = rng.integers(20, 235, 3), rng.integers(20, 235, 3)
    t = np.linspace(0, 1, height)[:, None, None]
    pixels = (1 - t) * top + t * bottom                  # (H, 1, 3)
    pixels = np.repeat(pixels, width, axis=1)
    if rng.random() < 0.4:
        ys, xs = np.mgrid[0:height, 0:width]
        x0, y0, r = rng.uniform(0, width), rng.uniform(0, height / 2), rng.uniform(30, 90)
        spot = np.exp(-((xs - x0) ** 2 + (ys - y0) ** 2) / (2 * r * r))[..., None]
        pixels = pixels * (1 - 0.5 * spot) + 255 * 0.5 * spot
    image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "RGB")
    return image.convert("RGBA")


def _jitter(colour, rng, amount: int = 12) -> tuple:
    return tuple(int(c) for c in np.clip(np.array(colour) + rng.integers(-amount, amount + 1, 3), 0, 255))


def _shade(colour, factor: float) -> tuple:
    return tuple(int(min(255, c * factor)) for c in colour)


def _face_geometry(rng, width: int, height: int) -> dict:
    """Centre, half-width, half-height, turn (yaw, -1..1) and skin of one face."""
    w = rng.uniform(0.26, 0.34) * width
    h = w * rng.uniform(1.15, 1.4)
    return {"cx": width / 2 + rng.normal(0, 0.04) * width, "cy": height * rng.uniform(0.44, 0.52),
            "w": w, "h": h, "yaw": float(np.clip(rng.normal(0, 0.35), -0.8, 0.8)),
            "skin": _jitter(SKIN[rng.integers(len(SKIN))], rng)}


def _shoulders(draw, rng, face, width: int, height: int) -> None:
    """Neck and a shirt at the bottom edge."""
    cx, cy, w, h = face["cx"], face["cy"], face["w"], face["h"]
    draw.rectangle([cx - w * 0.35, cy + h * 0.6, cx + w * 0.35, cy + h * 1.3], fill=_shade(face["skin"], 0.85))
    shirt = tuple(rng.integers(0, 256, 3).tolist())
    draw.ellipse([cx - w * 1.9, cy + h * 1.15, cx + w * 1.9, cy + h * 2.6], fill=shirt)


def _hair_behind(draw, face, style: str, colour) -> None:
    cx, cy, w, h = face["cx"], face["cy"], face["w"], face["h"]
    if style == "long":
        draw.rounded_rectangle([cx - w * 1.2, cy - h * 1.05, cx + w * 1.2, cy + h * 1.25],
                               radius=w * 0.6, fill=colour)
    elif style == "bun":
        draw.ellipse([cx - w * 0.5, cy - h * 1.45, cx + w * 0.5, cy - h * 0.65], fill=colour)


def _head(draw, face) -> None:
    cx, cy, w, h, skin = face["cx"], face["cy"], face["w"], face["h"], face["skin"]
    for side in (-1, 1):                                 # ears, hidden a little by a turn
        ex = cx + side * w * (0.97 - 0.15 * side * face["yaw"])
        draw.ellipse([ex - w * 0.16, cy - h * 0.18, ex + w * 0.16, cy + h * 0.15], fill=_shade(skin, 0.92))
    draw.ellipse([cx - w, cy - h, cx + w, cy + h], fill=skin)


def _features(draw, rng, face, hair_colour) -> None:
    """Eyes, brows, nose and mouth, shifted sideways by the face's turn."""
    cx, cy, w, h, skin = face["cx"], face["cy"], face["w"], face["h"], face["skin"]
    fx = cx + face["yaw"] * w * 0.35                     # the features' centre line
    eye_y = cy - h * rng.uniform(0.05, 0.18)
    spacing = w * rng.uniform(0.36, 0.5)
    eye_r = w * rng.uniform(0.11, 0.17)
    iris = _jitter(IRIS[rng.integers(len(IRIS))], rng, 10)
    closed = rng.random() < 0.08
    for side in (-1, 1):
        ex = fx + side * spacing * (1 - 0.25 * side * face["yaw"])
        if closed:
            draw.arc([ex - eye_r, eye_y - eye_r * 0.6, ex + eye_r, eye_y + eye_r * 0.6], 10, 170,
                     fill=(40, 30, 30), width=3)
        else:
            draw.ellipse([ex - eye_r, eye_y - eye_r * 0.65, ex + eye_r, eye_y + eye_r * 0.65], fill=(250, 250, 250))
            ir, look = eye_r * 0.55, face["yaw"] * eye_r * 0.3
            draw.ellipse([ex + look - ir, eye_y - ir, ex + look + ir, eye_y + ir], fill=iris)
            draw.ellipse([ex + look - ir * 0.45, eye_y - ir * 0.45, ex + look + ir * 0.45, eye_y + ir * 0.45],
                         fill=(10, 10, 10))
        brow_y = eye_y - eye_r * rng.uniform(1.1, 1.5)
        lift = rng.uniform(-3, 3)
        draw.line([ex - eye_r * 1.1, brow_y + lift, ex + eye_r * 1.1, brow_y - lift],
                  fill=_shade(hair_colour, 0.8), width=int(rng.integers(2, 6)))
    nose_y = cy + h * rng.uniform(0.15, 0.25)
    draw.line([fx, eye_y + eye_r, fx + w * 0.08 * (1 + face["yaw"]), nose_y], fill=_shade(skin, 0.75), width=3)
    draw.line([fx - w * 0.06, nose_y, fx + w * 0.08 * (1 + face["yaw"]), nose_y], fill=_shade(skin, 0.75), width=3)
    mouth_y, mouth_w = cy + h * rng.uniform(0.45, 0.58), w * rng.uniform(0.28, 0.5)
    lips = _jitter((170, 60, 60), rng, 30)
    kind = rng.choice(["smile", "smile", "neutral", "open"])
    box = [fx - mouth_w, mouth_y - mouth_w * 0.5, fx + mouth_w, mouth_y + mouth_w * 0.5]
    if kind == "smile":
        draw.arc(box, 20, 160, fill=lips, width=4)
    elif kind == "neutral":
        draw.line([fx - mouth_w * 0.8, mouth_y, fx + mouth_w * 0.8, mouth_y], fill=lips, width=4)
    else:
        draw.chord([box[0], mouth_y - mouth_w * 0.25, box[2], mouth_y + mouth_w * 0.6], 0, 180, fill=(90, 20, 30))
        draw.line([box[0] + 4, mouth_y, box[2] - 4, mouth_y], fill=(245, 245, 245), width=3)
    if rng.random() < 0.25:                              # blush
        for side in (-1, 1):
            bx = fx + side * spacing * 1.1
            draw.ellipse([bx - w * 0.13, mouth_y - h * 0.3, bx + w * 0.13, mouth_y - h * 0.18],
                         fill=tuple((c + p) // 2 for c, p in zip(skin, (235, 120, 120))))


def _beard(draw, face, colour) -> None:
    """A beard along the jaw, below the mouth line (the mouth is drawn over it)."""
    cx, cy, w, h = face["cx"], face["cy"], face["w"], face["h"]
    draw.chord([cx - w * 0.98, cy - h * 0.75, cx + w * 0.98, cy + h * 1.02], 20, 160, fill=colour)


def _hair_front(draw, rng, face, style: str, colour) -> None:
    cx, cy, w, h = face["cx"], face["cy"], face["w"], face["h"]
    top = [cx - w * 1.05, cy - h * 1.08, cx + w * 1.05, cy + h * 0.2]
    if style in ("short", "long", "bun", "side part"):
        draw.chord(top, 180, 360, fill=colour)
        if style == "side part":
            part = cx + w * rng.uniform(-0.5, 0.5)
            draw.polygon([(part, cy - h * 1.0), (cx + w * 1.05, cy - h * 0.2), (cx + w * 1.05, cy - h * 0.75)],
                         fill=colour)
    elif style == "fringe":
        draw.chord(top, 180, 360, fill=colour)
        draw.rectangle([cx - w * 0.85, cy - h * 0.9, cx + w * 0.85, cy - h * rng.uniform(0.4, 0.55)], fill=colour)
    elif style == "curly":
        for angle in np.linspace(math.pi * 0.95, math.pi * 2.05, 11):
            x, y = cx + math.cos(angle) * w * 0.95, cy + math.sin(angle) * h * 0.85
            r = w * 0.32
            draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)


def _accessories(draw, rng, face) -> None:
    """Glasses, a cap or earrings, each on some faces."""
    cx, cy, w, h = face["cx"], face["cy"], face["w"], face["h"]
    fx = cx + face["yaw"] * w * 0.35
    if rng.random() < 0.3:                                # glasses over both eyes
        eye_y, r = cy - h * 0.11, w * 0.24
        frame = tuple(rng.integers(0, 120, 3).tolist()) if rng.random() < 0.7 else (200, 40, 40)
        round_frames = rng.random() < 0.5
        for side in (-1, 1):
            ex = fx + side * w * 0.43
            box = [ex - r, eye_y - r * 0.8, ex + r, eye_y + r * 0.8]
            (draw.ellipse if round_frames else draw.rectangle)(box, outline=frame, width=3)
        draw.line([fx - w * 0.2, eye_y, fx + w * 0.2, eye_y], fill=frame, width=3)
    if rng.random() < 0.15:                               # a cap with a brim
        cap = tuple(rng.integers(0, 256, 3).tolist())
        draw.chord([cx - w * 1.1, cy - h * 1.25, cx + w * 1.1, cy - h * 0.15], 180, 360, fill=cap)
        draw.rectangle([cx - w * 1.1, cy - h * 0.72, cx + w * 1.1 + w * 0.5 * np.sign(face["yaw"] or 1),
                        cy - h * 0.6], fill=_shade(cap, 0.8))
    if rng.random() < 0.2:                                # earrings
        gold = (230, 190, 60) if rng.random() < 0.6 else (200, 200, 210)
        for side in (-1, 1):
            ex = cx + side * w * 0.97
            draw.ellipse([ex - 5, cy + h * 0.12, ex + 5, cy + h * 0.12 + 10], fill=gold)
