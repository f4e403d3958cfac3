"""Stage 7 (optional), video, the family: finding a browser, driving the page frame by frame, ffmpeg."""
