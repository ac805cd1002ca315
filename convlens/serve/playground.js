// ---- the kernel playground: a classic kernel (convlens filter's bank) or a typed one on the current input ----------
let bank = [], edited = false, pgBusy = false, pgNext = null, pgShape = null, kernelColumns = 3;
function diverging(t) {  // t in [-1, 1]: blue (negative), white (0), red (positive)
  const end = t < 0 ? [33, 102, 172] : [178, 24, 43], a = Math.min(1, Math.abs(t));
  return [255, 255, 255].map((w, i) => Math.round(w + (end[i] - w) * a));
}
function paintSigned(canvas, h, w, values, m) {
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
  for (let p = 0; p < h * w; p++) {
    const c = diverging(values[p] / m);
    img.data[4 * p] = c[0]; img.data[4 * p + 1] = c[1]; img.data[4 * p + 2] = c[2]; img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
function kernelGrid(values) {
  const grid = $("kernel-grid"); grid.replaceChildren();
  kernelColumns = values[0].length; grid.style.gridTemplateColumns = `repeat(${kernelColumns}, auto)`;
  values.forEach((row, r) => row.forEach((v, c) => {
    const box = el("input"); box.type = "text"; box.value = num(v); box.setAttribute("aria-label", `kernel[${r}][${c}]`);
    box.addEventListener("input", () => { edited = true; $("kernel-name").value = "custom"; $("kernel-desc").textContent = "your kernel"; applyKernel(); });
    grid.append(box);
  }));
}
function chooseKernel(name) {
  const k = bank.find((b) => b.name === name); if (!k) return;
  edited = false; $("kernel-desc").textContent = k.description; kernelGrid(k.values); applyKernel();
}
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?(\/[-+]?(\d+\.?\d*|\.\d+))?$/i;  // 2, -0.5, 1e-3, 1/9
function kernelSpec() {  // a name, or the typed rows as text; null (and a message) when a cell is not a number
  if (!edited) return $("kernel-name").value;
  const cells = [...$("kernel-grid").querySelectorAll("input")], n = kernelColumns, rows = [];
  for (let i = 0; i < cells.length; i++) {
    const text = cells[i].value.trim() || "0";
    if (!NUMBER.test(text)) { $("pg-error").textContent = `kernel[${Math.floor(i / n)}][${i % n}]: '${text}' is not a number`; return null; }
    if (i % n === 0) rows.push([]);
    rows[rows.length - 1].push(text);
  }
  return rows.map((r) => r.join(" ")).join("; ");
}
function applyKernel(row, col) {
  if (!inputId || !bank.length) return;
  const kernel = kernelSpec(); if (kernel === null) return;
  pgNext = {input_id: inputId, kernel};
  if (row !== undefined) { pgNext.row = row; pgNext.col = col; }
  if (!pgBusy) filterNext();
}
async function filterNext() {
  if (!pgNext) return;
  const ask = pgNext; pgNext = null; pgBusy = true;
  try {
    const res = await fetch("/v1/filter", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(ask)});
    const data = await res.json();
    if (!res.ok) { $("pg-error").textContent = data.detail || `error ${res.status}`; return; }
    $("pg-error").textContent = data.note || "";
    drawFiltered(data);
  } catch (err) {
    $("pg-error").textContent = `request failed: ${err}`;
  } finally {
    pgBusy = false;
    if (pgNext) filterNext();
  }
}
function drawFiltered(data) {
  const [h, w] = data.shape, k = Math.max(1, Math.floor(168 / Math.max(h, w))), m = Math.max(Math.abs(data.min), Math.abs(data.max)) || 1;
  pgShape = {h, w, kh: data.kernel.length, kw: data.kernel[0].length, k};
  const input = $("pg-input"), output = $("pg-output"), win = $("pg-window");
  paint(input, h, w, bytes(data.input), 0, 1, false);
  paintSigned(output, h, w, data.output, m);
  for (const c of [input, output]) { c.style.width = `${w * k}px`; c.style.height = `${h * k}px`; }
  win.width = w * k; win.height = h * k;
  const ctx = win.getContext("2d"); ctx.clearRect(0, 0, win.width, win.height);
  const top = data.row - ((pgShape.kh - 1) >> 1), left = data.col - ((pgShape.kw - 1) >> 1);
  ctx.strokeStyle = "#ff3b30"; ctx.lineWidth = 2; ctx.strokeRect(left * k + 1, top * k + 1, pgShape.kw * k - 2, pgShape.kh * k - 2);
  $("pg-lo").textContent = num(-m); $("pg-hi").textContent = num(m);
  const value = data.output[data.row * w + data.col];
  $("pg-calc").textContent = `output pixel (${data.row}, ${data.col}) = ${num(value)}\n${data.step}`;
}
$("kernel-name").addEventListener("change", (e) => { if (e.target.value !== "custom") chooseKernel(e.target.value); });
$("pg-output").addEventListener("mousemove", (e) => {
  if (!pgShape) return;
  const r = e.target.getBoundingClientRect();
  applyKernel(Math.min(pgShape.h - 1, Math.floor((e.clientY - r.top) / r.height * pgShape.h)),
              Math.min(pgShape.w - 1, Math.floor((e.clientX - r.left) / r.width * pgShape.w)));
});
(function scaleBar() {
  const bar = $("pg-scale"), ctx = bar.getContext("2d"), img = ctx.createImageData(120, 1);
  for (let i = 0; i < 120; i++) { const c = diverging(i / 59.5 - 1); img.data.set([c[0], c[1], c[2], 255], 4 * i); }
  ctx.putImageData(img, 0, 0);
})();
fetch("/v1/kernels").then((r) => r.json()).then((kernels) => {
  bank = kernels;
  const select = $("kernel-name");
  for (const k of kernels) { const o = el("option", "", k.name); o.value = k.name; select.append(o); }
  const custom = el("option", "", "custom (typed)"); custom.value = "custom"; select.append(custom);
  select.value = "edge2"; chooseKernel("edge2");
}).catch((err) => { $("pg-error").textContent = `cannot load the kernels: ${err}`; });
