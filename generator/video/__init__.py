"""Stage 6 (optional), the video family: finding a browser, driving the page frame by frame, ffmpeg."""
