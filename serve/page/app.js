// deep4deep web page: upload or record a clip, POST it to /v1/score?detail=1,
// draw the verdict, the waveform, the log-mel spectrogram and the genuine
// probability over time. Plain JavaScript, no dependencies, no network access
// beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem("deep4deep-token") || "" };

function headers() {
  return state.token ? { Authorization: "Bearer " + state.token } : {};
}

function setStatus(msg, isError) {
  const s = $("status");
  s.textContent = msg;
  s.className = isError ? "error" : "";
}

async function loadModel() {
  try {
    const r = await fetch("/v1/model", { headers: headers() });
    if (r.status === 401) {
      $("token-box").hidden = false;
      $("model").textContent = "Model: (enter the token to see it)";
      return;
    }
    const m = await r.json();
    $("model").textContent = `Model: ${m.name} (${m.kind} on ${m.features}; ${m.recipe_version}; hash ${m.hash.slice(0, 12)}…)` +
      (m.ffmpeg ? "" : " — this server has no ffmpeg: Ogg/WebM/M4A uploads are refused");
  } catch (e) {
    $("model").textContent = "Model: unavailable (" + e + ")";
  }
}

async function score(blob, name) {
  setStatus(`Scoring ${name}…`);
  const form = new FormData();
  form.append("file", blob, name);
  let r;
  try {
    r = await fetch("/v1/score?detail=1", { method: "POST", body: form, headers: headers() });
  } catch (e) {
    setStatus("The server could not be reached: " + e, true);
    return;
  }
  const body = await r.json().catch(() => ({ error: "HTTP " + r.status }));
  if (r.status === 401) {
    $("token-box").hidden = false;
    $("token").focus();
  }
  if (!r.ok) {
    setStatus(`${name}: ${body.error || "HTTP " + r.status} (HTTP ${r.status})`, true);
    return;
  }
  setStatus(`${name}: scored.`);
  show(body);
}

function show(res) {
  $("result").hidden = false;
  const v = $("verdict");
  v.dataset.label = res.label;
  v.textContent = res.label === "genuine" ? "Genuine" : res.label === "spoof" ? "Spoof (replayed)" :
    "No speech found" + (res.reason ? " (" + res.reason + ")" : "");
  $("score").textContent = res.score.toFixed(3);
  $("llr").textContent = res.llr === undefined ? "— (the model is not calibrated)" : res.llr.toFixed(3);
  $("threshold").textContent = res.threshold.toFixed(3);
  $("duration").textContent = res.duration_s.toFixed(2) + " s";
  $("format").textContent = res.format;
  const clamp = (x) => Math.max(-10, Math.min(10, x));
  $("scale-marker").style.left = ((clamp(res.score) + 10) / 20 * 100) + "%";
  $("scale-threshold").style.left = ((clamp(res.threshold) + 10) / 20 * 100) + "%";
  drawWaveform(res.waveform || []);
  drawSpectrogram(res.spectrogram);
  drawTimeline(res.frames || [], res.frame_step_s, res.duration_s);
  v.setAttribute("tabindex", "-1");
  v.focus();
}

function drawWaveform(env) {
  const c = $("waveform"), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  g.fillStyle = "#0b57d0";
  const mid = c.height / 2, n = env.length;
  for (let i = 0; i < n; i++) {
    const x = i / n * c.width, h = Math.max(1, env[i] * mid);
    g.fillRect(x, mid - h, Math.max(1, c.width / n), 2 * h);
  }
}

// A perceptual-ish colour map from dark blue through magenta to yellow.
function colour(v) {
  const t = v / 255;
  const r = Math.round(255 * Math.min(1, 1.8 * t));
  const gg = Math.round(255 * Math.max(0, 1.6 * t - 0.6));
  const b = Math.round(255 * (t < 0.5 ? 0.3 + t : Math.max(0, 1.3 - 1.6 * t)));
  return [r, gg, b];
}

function drawSpectrogram(sp) {
  const c = $("spectrogram"), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  if (!sp || !sp.frames) return;
  const raw = atob(sp.data);
  const img = g.createImageData(sp.frames, sp.bands);
  for (let t = 0; t < sp.frames; t++) {
    for (let b = 0; b < sp.bands; b++) {
      const [r, gg, bb] = colour(raw.charCodeAt(t * sp.bands + b));
      const o = ((sp.bands - 1 - b) * sp.frames + t) * 4;
      img.data[o] = r; img.data[o + 1] = gg; img.data[o + 2] = bb; img.data[o + 3] = 255;
    }
  }
  // Scale the frames × bands image onto the canvas.
  const off = document.createElement("canvas");
  off.width = sp.frames; off.height = sp.bands;
  off.getContext("2d").putImageData(img, 0, 0);
  g.imageSmoothingEnabled = false;
  g.drawImage(off, 0, 0, c.width, c.height);
}

function drawTimeline(frames, step, dur) {
  const c = $("timeline"), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  c.dataset.points = String(frames.length);
  const w = c.width * step / Math.max(dur, step);
  // Each window: a bar as high as its genuine probability, over a strip
  // in the colour of its verdict (visible even at probability 0).
  const strip = 10, top = c.height - strip;
  frames.forEach((p, i) => {
    g.fillStyle = p >= 0.5 ? "#1a7f37" : "#c62828";
    const h = p * top;
    g.fillRect(i * w, top - h, Math.max(1, w - 1), h);
    g.fillRect(i * w, top + 2, Math.max(1, w - 1), strip - 2);
  });
  g.strokeStyle = "#555";
  g.setLineDash([4, 4]);
  g.beginPath(); g.moveTo(0, top / 2); g.lineTo(c.width, top / 2); g.stroke();
  g.setLineDash([]);
  const genuine = frames.filter((p) => p >= 0.5).length;
  c.setAttribute("aria-label", `genuine probability over time: ${genuine} of ${frames.length} windows of ${step * 1000} ms look genuine`);
}

// --- input: file picker, drag and drop, microphone ---

$("file").addEventListener("change", (e) => {
  const f = e.target.files[0];
  if (f) score(f, f.name);
});

const drop = $("drop");
["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
drop.addEventListener("drop", (e) => {
  const f = e.dataTransfer.files[0];
  if (f) score(f, f.name);
});

$("token").addEventListener("change", (e) => {
  state.token = e.target.value.trim();
  sessionStorage.setItem("deep4deep-token", state.token);
  loadModel();
});

// 16-bit mono WAV from an AudioBuffer (channels averaged).
function wav16(buf) {
  const n = buf.length, rate = buf.sampleRate, chans = buf.numberOfChannels;
  const out = new DataView(new ArrayBuffer(44 + 2 * n));
  const str = (o, s) => { for (let i = 0; i < s.length; i++) out.setUint8(o + i, s.charCodeAt(i)); };
  str(0, "RIFF"); out.setUint32(4, 36 + 2 * n, true); str(8, "WAVEfmt ");
  out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, 1, true);
  out.setUint32(24, rate, true); out.setUint32(28, 2 * rate, true); out.setUint16(32, 2, true); out.setUint16(34, 16, true);
  str(36, "data"); out.setUint32(40, 2 * n, true);
  const data = [];
  for (let c = 0; c < chans; c++) data.push(buf.getChannelData(c));
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < chans; c++) s += data[c][i];
    s = Math.max(-1, Math.min(1, s / chans));
    out.setInt16(44 + 2 * i, Math.round(s * 32767), true);
  }
  return new Blob([out], { type: "audio/wav" });
}

let recorder = null;
$("record").addEventListener("click", async () => {
  const btn = $("record");
  if (recorder) {
    recorder.stop();
    return;
  }
  if (!navigator.mediaDevices || !window.MediaRecorder) {
    setStatus("This browser cannot record audio.", true);
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  } catch (e) {
    setStatus("No microphone access: " + e.message, true);
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (e) => chunks.push(e.data);
  recorder.onstop = async () => {
    stream.getTracks().forEach((t) => t.stop());
    recorder = null;
    btn.setAttribute("aria-pressed", "false");
    btn.textContent = "● Record from the microphone";
    try {
      // Browsers record WebM/Opus or Ogg; decode here and upload WAV so the
      // server needs no ffmpeg.
      const blob = new Blob(chunks);
      const ctx = new AudioContext();
      const buf = await ctx.decodeAudioData(await blob.arrayBuffer());
      ctx.close();
      score(wav16(buf), "recording.wav");
    } catch (e) {
      setStatus("Could not decode the recording: " + e, true);
    }
  };
  recorder.start();
  btn.setAttribute("aria-pressed", "true");
  btn.textContent = "■ Stop and score";
  setStatus("Recording… press the button again to stop.");
});

loadModel();
