"""Stage 7 (optional), video, the ffmpeg side of recording: one segment's encoder, and the segments joined.

capture.py drives the page and hands each segment's bytes (the page's H.264, or PNG frames) to a
Segment: one ffmpeg process fed through its stdin, renamed into place when finished so an
interrupted recording keeps only complete segments; join() concatenates those without re-encoding.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

from ..errors import UserError


def command(ffmpeg: str, method: str, suffix: str, fps: int, quality: int) -> list[str]:
    """ffmpeg reading one segment from stdin (its output path is appended)."""
    if method == "webcodecs":  # mux the page's H.264 as it is
        # -r, not -framerate: the raw h264 demuxer would otherwise trust the stream's own timing.
        return [ffmpeg, "-y", "-v", "error", "-f", "h264", "-r", str(fps), "-i", "-", "-c", "copy", "-bsf:v",
                "h264_metadata=video_full_range_flag=1:colour_primaries=1:transfer_characteristics=1:"
                "matrix_coefficients=1"]
    return [ffmpeg, "-y", "-v", "error", "-f", "image2pipe", "-c:v", "png", "-framerate", str(fps), "-i", "-",
            *_encoder_args(suffix, fps, quality)]


def _encoder_args(suffix: str, fps: int, quality: int) -> list[str]:
    if suffix == ".mp4":
        return ["-c:v", "libx264", "-preset", "veryfast", "-crf", str(quality),
                "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2,scale=out_color_matrix=bt709:out_range=tv",
                "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
                "-color_range", "tv", "-g", str(fps * 10)]
    if suffix == ".webm":
        return ["-c:v", "libvpx-vp9", "-crf", str(quality + 8), "-b:v", "0", "-deadline", "realtime",
                "-cpu-used", "8", "-row-mt", "1", "-pix_fmt", "yuv420p", "-colorspace", "bt709"]
    return ["-vf", "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3",
            "-loop", "0"]


class Segment:
    """One ffmpeg process fed through its stdin; a finished segment is renamed into place."""

    def __init__(self, command: list[str], target: Path) -> None:
        self.target, self.tmp = target, target.with_name("tmp-" + target.name)
        self.log = target.with_name(f"tmp-{target.stem}.log")  # a file, not a pipe nobody drains
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([*command, str(self.tmp)], stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=log)

    def failure(self) -> UserError:
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return UserError(f"ffmpeg stopped ({lines[-1] if lines else f'exit code {self.proc.poll()}'}); "
                         "the segments done so far are kept")

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
        except (BrokenPipeError, ValueError):
            self.proc.wait()
            raise self.failure() from None

    def finish(self) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        if self.proc.wait() != 0:
            raise self.failure()
        self.tmp.replace(self.target)
        self.log.unlink(missing_ok=True)

    def abandon(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.tmp.unlink(missing_ok=True)
        self.log.unlink(missing_ok=True)


def join(parts: list[Path], out: Path) -> None:
    """Concatenate complete segments into `out` without re-encoding."""
    listing = out.with_name(out.name + ".concat.txt")
    quoted = (str(p.resolve()).replace("'", "'\\''") for p in parts)  # the concat list's own quoting
    listing.write_text("".join(f"file '{q}'\n" for q in quoted))
    extra = ["-movflags", "+faststart"] if out.suffix == ".mp4" else []
    tmp = out.with_name("tmp-" + out.name)
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-f", "concat", "-safe", "0",
                           "-i", str(listing), "-c", "copy", *extra, str(tmp)], check=False, capture_output=True,
                          text=True,
                          stdin=subprocess.DEVNULL)
    listing.unlink()
    if proc.returncode != 0:
        raise UserError(f"ffmpeg could not join the segments: {proc.stderr.strip().splitlines()[-1:]}")
    tmp.replace(out)
