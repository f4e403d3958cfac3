// build-site capture: streams frames of the page's own renderer to the recorder. Injected into the
// page only while recording (the published site does not load it).
//
// choroplethCapture.png(frames, url, batch): draws each frame with choropleth.renderFrame and POSTs
// the frames as PNG in batches to `url`; a batch is drawn while the previous one is in flight. (PNG,
// not raw pixels: Chromium uploads a large POST body at only ~30 MB/s, and a map's flat colours make
// small PNGs.)
// choroplethCapture.h264(frames, url, fps, bitrate): encodes in the page with WebCodecs and POSTs only
// the encoded H.264 (Annex B) chunks. `frames` is the list of frame indices to record, in order (evenly
// spaced, or the frames holding each day, month… of a calendar step).
(function () {
  "use strict";
  const api = window.choropleth;

  async function post(url, body, frames) {
    const r = await fetch(url, { method: "POST", body, headers: { "X-Frames": String(frames) } });
    if (!r.ok) throw new Error(`recorder answered ${r.status}`);
  }
  // Batches POSTed one at a time: send waits for the one before (backpressure; a failed POST, ffmpeg
  // gone, stops the recording there); done waits for the last.
  function sender(url) {
    let inFlight = Promise.resolve();
    return {
      async send(parts, frames) { await inFlight; inFlight = post(url, new Blob(parts), frames); },
      done: () => inFlight,
    };
  }
  // The data of the next batch of frames, loaded together; when they lie far apart (a frame a day of
  // minutes) the chunks between are not loaded: each frame's own is, as it is drawn.
  function prefetch(frames, k, batch) {
    const first = frames[k], last = frames[Math.min(frames.length - 1, k + batch)];
    return (last - first) / api.meta.chunkFrames <= batch + 1 ? api.ensure(first, last) : Promise.resolve();
  }
  async function draw(i) {
    if (!api.renderFrame(i)) { await api.ensure(i, i); api.renderFrame(i); }
  }

  async function png(frames, url, batch) {
    const canvas = api.canvas;
    const out = sender(url);
    let parts = [];
    for (let k = 0; k < frames.length; k++) {
      if (parts.length === 0) await prefetch(frames, k, batch);
      await draw(frames[k]);
      parts.push(await new Promise((resolve) => canvas.toBlob(resolve, "image/png")));
      if (parts.length === batch || k === frames.length - 1) { // one batch in flight while the next is drawn
        await out.send(parts, parts.length);
        parts = [];
      }
    }
    await out.done();
  }

  async function h264Supported(width, height, fps) {
    if (typeof VideoEncoder === "undefined") return false;
    const { supported } = await VideoEncoder.isConfigSupported(config(width, height, fps, 4e6));
    return !!supported;
  }
  function config(width, height, fps, bitrate) {
    // High profile; level 4.0 holds up to 1080p, 5.1 up to 4K.
    const macroblocks = Math.ceil(width / 16) * Math.ceil(height / 16);
    return { codec: macroblocks <= 8192 ? "avc1.640028" : "avc1.640033", width, height, framerate: fps, bitrate,
             avc: { format: "annexb" }, latencyMode: "quality", hardwareAcceleration: "prefer-software" };
  }

  async function h264(frames, url, fps, bitrate, batch) {
    const canvas = api.canvas;
    const out = sender(url);
    let parts = [], error = null, wake = null;
    const encoder = new VideoEncoder({
      output: (chunk) => { const b = new Uint8Array(chunk.byteLength); chunk.copyTo(b); parts.push(b); },
      error: (e) => { error = e; if (wake) wake(); },
    });
    encoder.addEventListener("dequeue", () => { if (wake) wake(); });
    encoder.configure(config(canvas.width, canvas.height, fps, bitrate));
    const send = (count) => { const chunks = parts; parts = []; return out.send(chunks, count); }; // the chunks so far
    let k = 0, sent = 0;
    for (; k < frames.length; k++) {
      if (k % batch === 0) await prefetch(frames, k, batch);
      await draw(frames[k]);
      const frame = new VideoFrame(canvas, { timestamp: Math.round(k * 1e6 / fps), duration: Math.round(1e6 / fps) });
      encoder.encode(frame, { keyFrame: k % (fps * 10) === 0 });
      frame.close();
      while (encoder.encodeQueueSize > 8 && !error) await new Promise((resolve) => { wake = resolve; });
      if (error) throw error;
      if (k % batch === batch - 1) { await encoder.flush(); await send(k + 1 - sent); sent = k + 1; }
    }
    await encoder.flush();
    encoder.close();
    if (error) throw error;
    if (k > sent) await send(k - sent);
    await out.done();
  }

  window.choroplethCapture = { png, h264, h264Supported };
})();
