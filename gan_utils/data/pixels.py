"""Pixel transforms: uint8 0..255 -> float [0, 1] -> [-1, 1] and back, plus shape checks."""
import math

import numpy as np
import torch
from torchvision import transforms

from ..language import say


class ImageShapeError(ValueError):
    """A batch of images does not have the shape or value range a function expects."""


def mnist_transform(channels: int = 1) -> transforms.Compose:
    """The classic GAN transform: ToTensor (HWC uint8 -> CHW float in [0, 1]), then [-1, 1]."""
    check_channels(channels)
    return transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize((0.5,) * channels, (0.5,) * channels),
    ])


def pixels_to_images(pixels) -> torch.Tensor:
    """uint8 pixels (N, H, W) or (N, C, H, W), tensor or NumPy array -> float images (N, C, H, W)
    in [-1, 1]."""
    pixels = torch.as_tensor(pixels) if isinstance(pixels, np.ndarray) else pixels
    if not isinstance(pixels, torch.Tensor):
        raise ImageShapeError(say(f"pixels should be a uint8 tensor, got {type(pixels).__name__}",
                                  f"pixels 应是 uint8 张量，得到的是 {type(pixels).__name__}"))
    if pixels.dtype != torch.uint8:
        raise ImageShapeError(say(f"expected uint8 pixels (0..255), got dtype {pixels.dtype}.",
                                  f"需要 uint8 像素（0..255），得到的 dtype 是 {pixels.dtype}。") + _pixel_hint(pixels))
    if pixels.dim() not in (3, 4):
        hint = say(" For one image use pixels.unsqueeze(0).", "单张图像请用 pixels.unsqueeze(0)。") if pixels.dim() == 2 else ""
        raise ImageShapeError(say(f"pixels should be a batch shaped (N, H, W) or (N, C, H, W), got "
                                  f"{tuple(pixels.shape)}.",
                                  f"pixels 应是形状为 (N, H, W) 或 (N, C, H, W) 的一批图像，得到的是 "
                                  f"{tuple(pixels.shape)}。") + hint)
    if pixels.dim() == 3:
        pixels = pixels.unsqueeze(1)  # (N, H, W) -> (N, 1, H, W)
    return pixels.float().div(255.0).mul(2.0).sub(1.0)


def _pixel_hint(pixels: torch.Tensor) -> str:
    """What to do with pixels of another dtype: whole numbers 0..255 convert, floats are images."""
    if pixels.is_floating_point():
        return say(" These are floats already: if they are in [0, 1], x * 2 - 1 gives [-1, 1].",
                   "它们已经是浮点数了：如果在 [0, 1] 内，x * 2 - 1 就得到 [-1, 1]。")
    if pixels.numel() and 0 <= pixels.min() and pixels.max() <= 255:
        return say(" They are whole numbers 0..255: convert them with .to(torch.uint8) first.",
                   "它们是 0..255 的整数：先用 .to(torch.uint8) 转换。")
    return ""


def denormalize(images) -> torch.Tensor:
    """Undo Normalize(0.5, 0.5): [-1, 1] -> [0, 1], clamped, ready to display or save."""
    images = torch.as_tensor(images) if isinstance(images, np.ndarray) else images
    if not isinstance(images, torch.Tensor) or not images.is_floating_point():
        got = images.dtype if isinstance(images, torch.Tensor) else type(images).__name__
        raise ImageShapeError(say(f"denormalize expects float images in [-1, 1], got {got}; uint8 "
                                  f"pixels (0..255) can be shown as they are.",
                                  f"denormalize 需要 [-1, 1] 内的浮点图像，得到的是 {got}；uint8 像素"
                                  f"（0..255）可以直接显示。"))
    return images.add(1.0).div(2.0).clamp(0.0, 1.0)


def check_image_batch(images, channels: int | None = None, size: int | None = None,
                      value_range: str | None = "[-1, 1]", name: str = "images",
                      guess_zero_one: bool = True) -> None:
    """Raise ImageShapeError, naming expected and received, unless ``images`` is a (N, C, H, W)
    float batch with the given channels and size and (if asked) values in [-1, 1].

    With ``guess_zero_one``, a batch with no negative value at all is taken for [0, 1] images
    (real digits always have a black background at -1)."""
    if not isinstance(images, torch.Tensor):
        raise ImageShapeError(say(f"{name} should be a torch.Tensor, got {type(images).__name__}.",
                                  f"{name} 应是 torch.Tensor，得到的是 {type(images).__name__}。")
                              + _tensor_hint(images))
    want = f"(N, {channels if channels else 'C'}, {size or 'H'}, {size or 'W'})"
    shape = tuple(images.shape)
    if images.dim() != 4:
        hint = ""
        if images.dim() == 3 and shape[-1] in (1, 3):
            hint = say(" It looks like one HWC image: use .permute(2, 0, 1).unsqueeze(0).",
                       "看起来是一张 HWC 图像：用 .permute(2, 0, 1).unsqueeze(0)。")
        elif images.dim() == 3:
            hint = say(" Add the channel dimension with .unsqueeze(1).", "用 .unsqueeze(1) 加上通道维。")
        elif images.dim() == 2:
            hint = say(" For flat MLP output use .view(-1, 1, 28, 28).",
                       "如果这是 MLP 展平后的输出，用 .view(-1, 1, 28, 28) 把它变回图像。")
        raise ImageShapeError(say(f"{name} should be a batch shaped {want}, got {shape}.",
                                  f"{name} 应是形状为 {want} 的一批图像，得到的是 {shape}。") + hint)
    if channels is not None and shape[1] != channels:
        hint = ""
        if shape[-1] == channels:
            hint = say(" The channels seem to be last (NHWC): use .permute(0, 3, 1, 2).",
                       "通道似乎在最后一维（NHWC）：用 .permute(0, 3, 1, 2)。")
        raise ImageShapeError(say(f"{name} should have {channels} channel(s), shape {want}; "
                                  f"got {shape[1]} channel(s) in {shape}.",
                                  f"{name} 应有 {channels} 个通道，形状 {want}；得到的 {shape} 有 "
                                  f"{shape[1]} 个通道。") + hint)
    if size is not None and (shape[2], shape[3]) != (size, size):
        raise ImageShapeError(say(f"{name} should be {size}x{size} pixels, shape {want}; got "
                                  f"{shape[2]}x{shape[3]} in {shape}. Resize them or build the model "
                                  f"for {shape[2]}x{shape[3]} images.",
                                  f"{name} 应是 {size}x{size} 像素，形状 {want}；得到的 {shape} 是 "
                                  f"{shape[2]}x{shape[3]}。请缩放图像，或为 {shape[2]}x{shape[3]} 的图像构建模型。"))
    if not images.is_floating_point():
        raise ImageShapeError(say(f"{name} should be floats, got dtype {images.dtype}; "
                                  f"use pixels_to_images() or the mnist_transform().",
                                  f"{name} 应是浮点数，得到的 dtype 是 {images.dtype}；"
                                  f"请用 pixels_to_images() 或 mnist_transform()。"))
    if value_range == "[-1, 1]" and images.numel():
        error = range_error(images, name, guess_zero_one)
        if error is not None:
            raise error


def range_error(images: torch.Tensor, name: str = "images", guess_zero_one: bool = True,
                seen_by: str = "data") -> "ImageShapeError | None":
    """The course's one diagnosis of images outside [-1, 1]: None when they are inside, else the
    error that says what the values look like (0..255 pixels, [0, 1] images, a generator without
    a final Tanh) and the fix. ``seen_by`` is who meets them: "data" (real images being loaded or
    batched), "D" (a discriminator's input, real or fake) or "G" (a generator's output, looked at
    by the trainer before it trains). With ``guess_zero_one``, a batch with no negative value at
    all is taken for [0, 1] images (real digits always have a black background at -1)."""
    low, high = (value.item() for value in torch.aminmax(images.detach()))
    if seen_by == "G":
        if -1.001 <= low and high <= 1.001:   # also False for NaN
            return None
        return ImageShapeError(f"G's images should be in [-1, 1] like the real ones, but G gives "
                               f"values in [{low:.3g}, {high:.3g}]: end G with nn.Tanh() (not "
                               f"Sigmoid or nothing), as the course's generators do.")
    if not (math.isfinite(low) and math.isfinite(high)):
        bad = (~torch.isfinite(images.detach())).sum().item()
        return ImageShapeError(say(f"{name} contain {bad} NaN or infinite value(s): check how they "
                                   f"were made (a division by zero, a corrupted file) before training.",
                                   f"{name} 中有 {bad} 个 NaN 或无穷大的值：训练前先查清它们是怎么来的"
                                   f"（除以零？文件损坏？）。"))
    outside = low < -1.001 or high > 1.001
    if not outside and not (guess_zero_one and low >= 0.0 and high > 0.5):
        return None
    if seen_by == "D":
        return _discriminator_range_error(images, name, low, high)
    if outside:
        hint = say(" They look like 0..255 pixels: divide by 127.5 and subtract 1.",
                   "看起来是 0..255 的像素值：除以 127.5 再减 1。") if high > 2 else ""
        return ImageShapeError(say(f"{name} should be in [-1, 1], got values from {low:.3g} to {high:.3g}.",
                                   f"{name} 应在 [-1, 1] 内，得到的值从 {low:.3g} 到 {high:.3g}。") + hint)
    return ImageShapeError(say(f"{name} should be in [-1, 1], but all values are in [{low:.3g}, "
                               f"{high:.3g}]: they look like [0, 1] images. Apply "
                               f"Normalize((0.5,), (0.5,)) or {_variable(name)} * 2 - 1 first.",
                               f"{name} 应在 [-1, 1] 内，但所有值都在 [{low:.3g}, {high:.3g}]："
                               f"看起来是 [0, 1] 的图像。先用 Normalize((0.5,), (0.5,)) 或 "
                               f"{_variable(name)} * 2 - 1 转换。"))


def _discriminator_range_error(images: torch.Tensor, name: str, low: float, high: float) -> "ImageShapeError":
    """What D's input outside [-1, 1] looks like: out of a network (a generator without Tanh) or
    real images that still need normalizing; D sees both."""
    from_network = images.grad_fn is not None
    if low >= 0 and high <= 1.001:
        got = say(f"{name} should be in [-1, 1], but all values are in [{low:.3g}, {high:.3g}]",
                  f"{name} 应在 [-1, 1] 内，但所有值都在 [{low:.3g}, {high:.3g}]")
        if from_network:
            return ImageShapeError(got + say(": they come out of a network (they carry a gradient), so if "
                                             "that is your generator, end it with nn.Tanh(), not nn.Sigmoid().",
                                             "：它们来自一个网络（带着梯度），如果那是你的生成器，"
                                             "请让它以 nn.Tanh() 结尾，而不是 nn.Sigmoid()。"))
        return ImageShapeError(got + say(": they look like [0, 1] images. Apply Normalize((0.5,), (0.5,)) "
                                         "or x * 2 - 1 first (if they come from your generator, end it with "
                                         "nn.Tanh(), not nn.Sigmoid()).",
                                         "：看起来是 [0, 1] 的图像。先用 Normalize((0.5,), (0.5,)) 或 x * 2 - 1 "
                                         "转换（如果它们来自你的生成器，请让它以 nn.Tanh() 结尾，而不是 nn.Sigmoid()）。"))
    got = say(f"{name} should be in [-1, 1], got values from {low:.3g} to {high:.3g}",
              f"{name} 应在 [-1, 1] 内，得到的值从 {low:.3g} 到 {high:.3g}")
    if from_network:
        return ImageShapeError(got + say(": they come out of a network (they carry a gradient), so if that "
                                         "is your generator, its output is outside [-1, 1]: end it with nn.Tanh().",
                                         "：它们来自一个网络（带着梯度），如果那是你的生成器，它的输出超出了 "
                                         "[-1, 1]：请让它以 nn.Tanh() 结尾。"))
    if low >= 0 and 2 < high <= 255 and bool((images == images.round()).all()):
        return ImageShapeError(got + say(": they look like 0..255 pixels. Divide by 127.5 and subtract 1 "
                                         "(pixels_to_images() does it for uint8 pixels).",
                                         "：看起来是 0..255 的像素值。除以 127.5 再减 1"
                                         "（对 uint8 像素，pixels_to_images() 会这样做）。"))
    return ImageShapeError(got + say(". If they are real images, scale them to [-1, 1]: "
                                     "Normalize((0.5,), (0.5,)) after ToTensor, or x / 127.5 - 1 for 0..255 "
                                     "pixels. If they are your generator's output, its output is outside "
                                     "[-1, 1]: end it with nn.Tanh().",
                                     "。如果是真实图像，请缩放到 [-1, 1]：ToTensor 之后用 Normalize((0.5,), (0.5,))，"
                                     "0..255 的像素则用 x / 127.5 - 1。如果是你的生成器的输出，它超出了 [-1, 1]："
                                     "请让生成器以 nn.Tanh() 结尾。"))


def _tensor_hint(value) -> str:
    """How to turn a common wrong container into an image tensor."""
    if isinstance(value, np.ndarray):
        return say(" Convert it with torch.from_numpy(...).", "用 torch.from_numpy(...) 转换。")
    if isinstance(getattr(value, "images", None), torch.Tensor):
        return say(" It holds its images in .images: pass that.", "它的图像在 .images 里：请传入 .images。")
    return ""


def _variable(name: str) -> str:
    """``name`` when it reads as a variable (``real_images``), else ``x``, for code in messages."""
    return name if name.isidentifier() else "x"


def check_channels(channels: int) -> None:
    """Refuse anything but 1 (grayscale) or 3 (RGB), including True, which Python counts as 1."""
    if isinstance(channels, bool) or channels not in (1, 3):
        raise ImageShapeError(say(f"channels should be 1 (grayscale) or 3 (RGB), got {channels!r}",
                                  f"channels 应为 1（灰度）或 3（RGB），得到的是 {channels!r}"))
