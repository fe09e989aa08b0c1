// adqsp mechanism explorer: asks the JSON API for time courses and trials and draws them as inline SVG.
// No library: a small line chart (lineChart), the mechanism diagram (drawDiagram) and the trial table.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const SIDES = ["A", "B"];
const state = { drugs: {}, courses: { A: null, B: null }, day: 0, charts: [], job: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, parent = null, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function fmt(v, digits = 3) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2)) return v.toExponential(1);
  return Number(v.toPrecision(digits)).toString();
}

// ---------- API ----------
async function api(path, body = null) {
  const options = body === null ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.detail || `${response.status} ${response.statusText}`);
  return data;
}

// ---------- controls ----------
function fillRegimens(side) {
  const drug = state.drugs[$(`drug-${side}`).value];
  const select = $(`regimen-${side}`);
  select.innerHTML = "";
  for (const r of drug ? drug.regimens : []) select.add(new Option(`label: ${r.name}`, r.name));
  select.add(new Option("custom doses", "custom"));
  showDoses(side);
}

function showDoses(side) {
  const drug = state.drugs[$(`drug-${side}`).value];
  const regimen = $(`regimen-${side}`).value;
  const label = drug && drug.regimens.find((r) => r.name === regimen);
  const area = $(`doses-${side}`);
  if (label) area.value = JSON.stringify(label.doses);
  area.readOnly = regimen !== "custom";
}

function courseRequest(side) {
  const drug = $(`drug-${side}`).value;
  const request = { drug, weeks: Number($("weeks").value) };
  const regimen = $(`regimen-${side}`).value;
  if (drug !== "placebo") {
    if (regimen === "custom") {
      try {
        request.doses = JSON.parse($(`doses-${side}`).value || "[]");
      } catch (error) {
        throw new Error(`drug ${side} dose entries: not valid JSON (${error.message})`);
      }
    } else {
      request.regimen = regimen;
    }
  }
  if ($("patient-kind").value === "sampled") {
    request.patient = {
      kind: "sampled", seed: Number($("patient-seed").value), min_easi: Number($("patient-min-easi").value),
    };
  }
  return request;
}

function setStatus(id, text, error = false) {
  $(id).textContent = text;
  $(id).classList.toggle("error", error);
}

async function simulate() {
  const sides = $("use-B").checked ? SIDES : ["A"];
  setStatus("status", "simulating…");
  const started = performance.now();
  try {
    const requests = sides.map((side) => courseRequest(side));
    const results = await Promise.all(requests.map((r) => api("/api/course", r)));
    state.courses = { A: null, B: null };
    sides.forEach((side, k) => { state.courses[side] = results[k]; });
    const last = results[0].series.time_days.length - 1;
    $("slider").max = last;
    state.day = Math.min(state.day, last);
    $("slider").value = state.day;
    const patient = results[0].patient;
    const who = patient.kind === "typical" ? "typical patient" :
      `patient ${patient.index} of seed ${patient.seed} (${fmt(patient.weight_kg)} kg)`;
    setStatus("status", `${who}: ${sides.map((s) => `${s} ${state.courses[s].drug}`).join(", ")} ` +
      `in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    drawAll();
  } catch (error) {
    setStatus("status", error.message, true);
  }
}

// ---------- line chart ----------
function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) { hi = lo + 1; }
  const step0 = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push(Number(t.toPrecision(10)));
  return ticks;
}

// series: [{x: [...], y: [...], color, dash, label}]; returns {svg, setCursor(x)}
function lineChart(container, title, unit, series, opts = {}) {
  const W = 300, H = 170, L = 42, R = 8, T = 18, B = 28;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "plot", "data-title": title });
  container.appendChild(svg);
  el("text", { x: L, y: 12, class: "title" }, svg, unit ? `${title} (${unit})` : title);
  const xs = series.flatMap((s) => s.x), ys = series.flatMap((s) => s.y).filter((v) => v !== null);
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  let y0 = opts.yMin !== undefined ? opts.yMin : Math.min(0, ...ys);
  let y1 = opts.yMax !== undefined ? opts.yMax : Math.max(...ys);
  if (!(y1 > y0)) y1 = y0 + (Math.abs(y0) || 1);
  y1 += (y1 - y0) * 0.05;
  const sx = (x) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = (y) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const axis = el("g", { class: "axis" }, svg);
  el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B }, axis);
  el("line", { x1: L, y1: T, x2: L, y2: H - B }, axis);
  for (const t of niceTicks(y0, y1)) {
    el("line", { x1: L - 3, y1: sy(t), x2: L, y2: sy(t) }, axis);
    el("text", { x: L - 5, y: sy(t) + 3, "text-anchor": "end" }, axis, fmt(t));
  }
  for (const t of niceTicks(x0 / 7, x1 / 7, 6)) {
    el("line", { x1: sx(t * 7), y1: H - B, x2: sx(t * 7), y2: H - B + 3 }, axis);
    el("text", { x: sx(t * 7), y: H - B + 13, "text-anchor": "middle" }, axis, fmt(t));
  }
  el("text", { x: W - R, y: H - 3, "text-anchor": "end" }, axis, "week");
  const legend = [];
  for (const s of series) {
    let d = "";
    s.y.forEach((y, i) => { if (y !== null) d += `${d ? "L" : "M"}${sx(s.x[i]).toFixed(1)},${sy(y).toFixed(1)}`; });
    el("path", {
      d, fill: "none", stroke: s.color, "stroke-width": 1.6, "stroke-dasharray": s.dash || "none",
      class: "series", "data-label": s.label,
    }, svg);
    if (s.label && !legend.includes(s.label)) legend.push(s.label);
  }
  legend.forEach((label, k) => {
    const color = series.find((s) => s.label === label).color;
    el("text", { x: W - R, y: T + 10 + 11 * k, "text-anchor": "end", fill: color, style: `fill:${color}` }, svg, label);
  });
  const cursor = el("line", { x1: sx(x0), y1: T, x2: sx(x0), y2: H - B, class: "cursor" }, svg);
  return { svg, setCursor: (x) => { cursor.setAttribute("x1", sx(x)); cursor.setAttribute("x2", sx(x)); } };
}

const PALETTE = ["#1b6ca8", "#d1495b", "#2a9d8f", "#e9a23b", "#6a4c93", "#555"];
const DASH = { A: "none", B: "5 3" };

// one chart of several columns (each a colour), both drugs (A solid, B dashed)
function chart(container, title, unit, columns, opts = {}) {
  const series = [];
  for (const side of SIDES) {
    const course = state.courses[side];
    if (!course) continue;
    columns.forEach(([column, label], k) => {
      if (!(column in course.series)) return;
      let y = course.series[column];
      if (opts.relative) { const y0 = y[0]; y = y.map((v) => (v === null || !y0 ? null : v / y0)); }
      series.push({ x: course.series.time_days, y, color: PALETTE[k % PALETTE.length], dash: DASH[side], label });
    });
  }
  if (series.length) state.charts.push(lineChart(container, title, unit, series, opts));
}

// ---------- the panels ----------
function drawAll() {
  state.charts = [];
  for (const id of ["plots-skin", "plots-patient"]) $(id).innerHTML = "";
  const skin = $("plots-skin");
  chart(skin, "T cells, lesional", "per baseline", [["les_th2", "Th2"], ["les_th1", "Th1"], ["les_th17", "Th17"],
    ["les_th22", "Th22"]], { relative: true });
  chart(skin, "T cells, nonlesional", "per baseline", [["non_th2", "Th2"], ["non_th1", "Th1"],
    ["non_th17", "Th17"], ["non_th22", "Th22"]], { relative: true });
  chart(skin, "antigen presentation and priming", "per baseline", [["les_dc", "DCs, lesional"],
    ["node_dc", "DCs, lymph node"], ["node_lymphocyte_stat6", "node STAT6"], ["th2_pool", "primed Th2"],
    ["th1_pool", "primed Th1"]], { relative: true });
  chart(skin, "innate type 2 cells", "per baseline", [["les_ilc2", "ILC2, lesional"],
    ["basophil_fceri", "basophil FcεRI"], ["mast_fceri", "mast-cell FcεRI"], ["les_eos", "eosinophils, lesional"],
    ["eos_blood", "eosinophils, blood"]], { relative: true });
  chart(skin, "macrophages, M2 share", "", [["les_macrophage_m2", "lesional"],
    ["non_macrophage_m2", "nonlesional"]], { yMax: 1 });
  chart(skin, "macrophages and CCL18", "per baseline", [["les_macrophage", "macrophages, lesional"],
    ["non_macrophage", "macrophages, nonlesional"], ["les_CCL18", "CCL18, lesional"]], { relative: true });
  chart(skin, "lesion chronicity", "", [["les_chronicity", "0 acute, 1 chronic"]], { yMax: 1 });
  chart(skin, "pathway activity, lesional", "", [["les_type1_activity", "type 1"], ["les_type2_activity", "type 2"],
    ["les_type17_activity", "type 17"], ["les_type22_activity", "type 22"]]);
  chart(skin, "pathway activity, nonlesional", "", [["non_type1_activity", "type 1"],
    ["non_type2_activity", "type 2"], ["non_type17_activity", "type 17"], ["non_type22_activity", "type 22"]]);
  chart(skin, "cytokines, lesional", "per baseline", [["les_IL4_pM", "IL-4"], ["les_IL13_pM", "IL-13"],
    ["les_IL31", "IL-31"], ["les_IFNg", "IFN-γ"], ["les_IL22", "IL-22"], ["les_tslp", "TSLP"]], { relative: true });
  chart(skin, "barrier integrity", "", [["les_barrier", "lesional"], ["non_barrier", "nonlesional"]], { yMax: 1 });
  chart(skin, "TEWL", unitOf("les_tewl"), [["les_tewl", "lesional"], ["non_tewl", "nonlesional"]]);
  chart(skin, "epidermal thickness", "µm", [["les_epidermis_um", "lesional"], ["non_epidermis_um", "nonlesional"]]);
  const patient = $("plots-patient");
  chart(patient, "EASI", "", [["easi", "EASI"]]);
  chart(patient, "IGA (latent)", "", [["iga_latent", "IGA"]], { yMax: 4 });
  chart(patient, "peak itch NRS", "", [["itch_nrs", "NRS"]], { yMax: 10 });
  chart(patient, "serum drug", "mg/L", [["serum_mg_L", "serum"]]);
  chart(patient, "EASI signs", "0-3", [["sign_erythema", "erythema"], ["sign_induration", "induration"],
    ["sign_excoriation", "excoriation"], ["sign_lichenification", "lichenification"]]);
  chart(patient, "affected area by region", "%", [["area_pct_head", "head"], ["area_pct_upper", "upper limbs"],
    ["area_pct_trunk", "trunk"], ["area_pct_lower", "lower limbs"]]);
  moveTo(state.day);
}

function unitOf(column) {
  const course = state.courses.A;
  return course && course.units[column] !== "dimensionless" ? course.units[column] : "";
}

function at(side, column, day = state.day) {
  const course = state.courses[side];
  if (!course || !(column in course.series)) return null;
  return course.series[column][Math.min(day, course.series[column].length - 1)];
}

function moveTo(day) {
  state.day = day;
  const course = state.courses.A;
  if (!course) return;
  const t = course.series.time_days[Math.min(day, course.series.time_days.length - 1)];
  $("slider-label").textContent = `day ${fmt(t)} (week ${fmt(t / 7, 2)})`;
  for (const c of state.charts) c.setCursor(t);
  for (const side of SIDES) drawDiagram(side);
  drawEasiParts();
}

function drawEasiParts() {
  const table = $("easi-parts");
  const rows = [["at the slider's day", ...SIDES.filter((s) => state.courses[s]).map((s) => `${s}: ${state.courses[s].drug}`)]];
  const columns = [["EASI", "easi"], ["IGA (latent)", "iga_latent"], ["itch NRS", "itch_nrs"], ["BSA %", "bsa_pct"],
    ["serum drug, mg/L", "serum_mg_L"], ["TARC, serum", "tarc_serum"], ["IgE, serum", "ige_serum"]];
  for (const [label, column] of columns) {
    rows.push([label, ...SIDES.filter((s) => state.courses[s]).map((s) => fmt(at(s, column)))]);
  }
  table.innerHTML = rows.map((r, i) => `<tr>${r.map((c) => (i ? `<td>${c}</td>` : `<th>${c}</th>`)).join("")}</tr>`)
    .join("");
}

// ---------- the mechanism diagram ----------
function drawDiagram(side) {
  const svg = $(`diagram-${side}`);
  svg.innerHTML = "";
  const course = state.courses[side];
  svg.style.display = course ? "" : "none";
  if (!course) return;
  const drug = state.drugs[course.drug];
  const motif = drug ? drug.motif : "";
  const v = (c) => at(side, c), v0 = (c) => at(side, c, 0);
  const ratio = (c) => (v0(c) ? v(c) / v0(c) : 0);
  el("text", { x: 6, y: 14, class: "title", "font-weight": 600 }, svg,
    `${side}: ${course.drug}${drug ? ` (${drug.target})` : ""}`);
  // the cell: outside above the membrane, inside below
  el("rect", { x: 0, y: 150, width: 380, height: 140, fill: "#f3efe6" }, svg);
  el("line", { x1: 0, y1: 150, x2: 380, y2: 150, stroke: "#b59b6d", "stroke-width": 4 }, svg);
  el("text", { x: 374, y: 282, "text-anchor": "end", fill: "#8a7550" }, svg, "keratinocyte / T cell");
  const chain = (x, label, color) => {
    el("rect", { x, y: 100, width: 16, height: 90, rx: 6, fill: color, stroke: "#333", "stroke-width": 0.5 }, svg);
    el("text", { x: x + 11, y: 145, "font-size": 8, transform: `rotate(-90 ${x + 11} 145)` }, svg, label);
  };
  const ligand = (x, y, name, free, total) => {
    const r = 6 + 10 * Math.sqrt(Math.min(total / (v0(name === "IL-4" ? "les_IL4_pM" : "les_IL13_pM") || 1), 2));
    el("circle", { cx: x, cy: y, r, fill: name === "IL-4" ? "#e9a23b" : "#2a9d8f", opacity: 0.85 }, svg);
    el("text", { x, y: y + 3, "text-anchor": "middle", "font-size": 9, "font-weight": 600 }, svg, name);
    el("text", { x, y: y - r - 3, "text-anchor": "middle", "font-size": 8 }, svg, `${fmt(free)} pM free`);
    return r;
  };
  const antibody = (x, y, opacity, id) => {
    const g = el("g", { opacity: Math.max(opacity, 0.05).toFixed(3), class: "drug", "data-id": id }, svg);
    el("path", { d: `M${x},${y} l0,14 M${x},${y} l-9,-11 M${x},${y} l9,-11`, stroke: "#6a4c93", "stroke-width": 4,
      fill: "none", "stroke-linecap": "round" }, g);
  };
  // type I (IL-4Ra + gamma-c), type II (IL-4Ra + IL-13Ra1), the decoy IL-13Ra2
  chain(40, "IL-4Rα", "#9ecae1"); chain(58, "γc", "#c7e9c0");
  chain(160, "IL-4Rα", "#9ecae1"); chain(178, "IL-13Rα1", "#fdd0a2");
  chain(290, "IL-13Rα2", "#ddd");
  el("text", { x: 57, y: 222, "text-anchor": "middle", "font-size": 9, "font-weight": 600 }, svg, "type I");
  el("text", { x: 177, y: 222, "text-anchor": "middle", "font-size": 9, "font-weight": 600 }, svg, "type II");
  el("text", { x: 298, y: 222, "text-anchor": "middle", "font-size": 9, "font-weight": 600 }, svg, "decoy");
  const il4 = [v("les_il4_free_pM"), v("les_IL4_pM")], il13 = [v("les_il13_free_pM"), v("les_IL13_pM")];
  ligand(57, 62, "IL-4", ...il4);
  const r13 = ligand(205, 62, "IL-13", ...il13);
  ligand(298, 62, "IL-13", ...il13);
  // signalling complexes as glow under each receptor, relative to day 0
  const complex = (x, value, label) => {
    el("rect", { x: x - 4, y: 232, width: 44 * Math.min(value, 2), height: 8, fill: "#1b6ca8", class: "complex" }, svg);
    el("text", { x: x - 4, y: 252, "font-size": 8 }, svg, `${label} ${fmt(100 * value, 2)}%`);
  };
  complex(40, ratio("les_lymphocyte_type1"), "T-cell type I");
  complex(160, ratio("les_keratinocyte_type2"), "type II");
  // where the drug binds
  const occupancy = v("les_keratinocyte_il4ra_occupancy") || 0;
  const neutralised = il13[1] ? 1 - il13[0] / il13[1] : 0;
  let drugText = "no drug";
  if (motif === "binds_receptor_chain") {
    antibody(48, 84, occupancy, "il4ra-typeI"); antibody(168, 84, occupancy, "il4ra-typeII");
    drugText = `IL-4Rα occupied ${fmt(100 * occupancy, 3)}%`;
  } else if (motif.startsWith("binds_ligand")) {
    antibody(205 + r13 + 6, 62, neutralised, "il13-a"); antibody(298 + r13 + 6, 62, neutralised, "il13-b");
    drugText = `IL-13 bound by drug ${fmt(100 * neutralised, 3)}%`;
  } else if (motif === "inhibits_pathways") {
    const jak = [["jak1_jak3_activity", 40, "JAK1/JAK3"], ["jak1_tyk2_activity", 160, "JAK1/TYK2"]];
    let shown = false;
    for (const [column, x, label] of jak) {
      const activity = v(column);
      if (activity === null) continue;
      shown = true;
      el("rect", { x: x - 4, y: 160, width: 42, height: 14, rx: 4, fill: "#fff", stroke: "#6a4c93" }, svg);
      el("text", { x: x + 17, y: 170, "text-anchor": "middle", "font-size": 7 }, svg, label);
      el("circle", { cx: x + 44, cy: 167, r: 6, fill: "#6a4c93", opacity: Math.max(1 - activity, 0.05).toFixed(3),
        class: "drug", "data-id": column }, svg);
      drugText = `JAK activity ${fmt(100 * activity, 3)}% (inhibitor inside the cell)`;
    }
    const tcell = v("tcell_activation");
    if (tcell !== null) {
      el("rect", { x: 240, y: 160, width: 80, height: 14, rx: 4, fill: "#fff", stroke: "#6a4c93" }, svg);
      el("text", { x: 280, y: 170, "text-anchor": "middle", "font-size": 7 }, svg, "calcineurin (T cell)");
      el("circle", { cx: 326, cy: 167, r: 6, fill: "#6a4c93", opacity: Math.max(1 - tcell, 0.05).toFixed(3),
        class: "drug", "data-id": "tcell_activation" }, svg);
      drugText = `${shown ? `${drugText}; ` : ""}T-cell activation ${fmt(100 * tcell, 3)}%`;
    }
  }
  // pSTAT6 inside the keratinocyte
  const pstat6 = v("les_keratinocyte_pstat6") || 0;
  el("text", { x: 290, y: 252, "font-size": 8 }, svg, "complexes: % of day 0");
  el("text", { x: 6, y: 268, "font-size": 9 }, svg, "pSTAT6");
  el("rect", { x: 45, y: 260, width: 150, height: 9, fill: "#fff", stroke: "#999" }, svg);
  el("rect", { x: 45, y: 260, width: 150 * Math.min(ratio("les_keratinocyte_pstat6"), 1), height: 9,
    fill: "#d1495b", id: `pstat6-${side}` }, svg);
  el("text", { x: 200, y: 268, "font-size": 8 }, svg, `${fmt(pstat6)} (${fmt(100 * ratio("les_keratinocyte_pstat6"), 2)}% of day 0)`);
  el("text", { x: 6, y: 28, "font-size": 9, fill: "#6a4c93", class: "drug-text" }, svg,
    `day ${fmt(v("time_days"))}: ${drugText}; skin drug ${fmt(v("skin_drug_nM"))} nM`);
}

// ---------- the trial ----------
async function runTrial() {
  const request = {
    design: $("trial-design").value, patients_per_arm: Number($("trial-patients").value),
    seed: Number($("trial-seed").value),
  };
  try {
    if (request.design === "custom") {
      const sides = $("use-B").checked ? SIDES : ["A"];
      request.weeks = Number($("weeks").value);
      request.arms = sides.filter((s) => $(`drug-${s}`).value !== "placebo").map((s) => {
        const { drug, regimen, doses } = courseRequest(s);
        return regimen !== undefined ? { drug, regimen } : { drug, doses };
      });
    }
    $("trial-bar").style.width = "0";
    setStatus("trial-status", "starting…");
    const job = await api("/api/trials", request);
    state.job = job.id;
    pollTrial(job.id);
  } catch (error) {
    setStatus("trial-status", error.message, true);
  }
}

async function pollTrial(id) {
  if (state.job !== id) return;
  try {
    const job = await api(`/api/trials/${id}`);
    $("trial-bar").style.width = `${(100 * job.fraction).toFixed(1)}%`;
    if (job.state === "running") {
      setStatus("trial-status", `${job.stage}: ${job.done}/${job.total} (${job.elapsed_s.toFixed(1)} s)`);
      setTimeout(() => pollTrial(id), 400);
    } else if (job.state === "done") {
      setStatus("trial-status", `done in ${job.elapsed_s.toFixed(1)} s` +
        (job.summary.warnings.length ? `; ${job.summary.warnings.join("; ")}` : ""));
      drawTrial(job.summary);
    } else {
      setStatus("trial-status", job.error, true);
    }
  } catch (error) {
    setStatus("trial-status", error.message, true);
  }
}

const ENDPOINTS = [["EASI50", "EASI-50"], ["EASI75", "EASI-75"], ["EASI90", "EASI-90"], ["IGA01", "IGA 0/1"],
  ["NRS4", "NRS ≥4 pt"], ["EASI_pct_change", "EASI % chg"], ["NRS_pct_change", "NRS % chg"]];

function drawTrial(summary) {
  const last = String(summary.weeks).replace(/\.0$/, "");
  const rows = [`<tr><th>week ${last}, n per arm</th>${ENDPOINTS.map(([, l]) => `<th>${l}</th>`).join("")}</tr>`];
  for (const arm of summary.arms) {
    const week = Object.keys(arm.visits).sort((a, b) => Number(a) - Number(b)).pop();
    const values = arm.visits[week], published = arm.published[week] || {};
    const cells = ENDPOINTS.map(([key]) => {
      const p = published[key];
      return `<td>${fmt(values[key], 2)}${p !== undefined ? ` <span class="published">[${fmt(p, 2)}]</span>` : ""}</td>`;
    });
    rows.push(`<tr><td>${arm.name} (${arm.n})</td>${cells.join("")}</tr>`);
  }
  $("trial-table").innerHTML = rows.join("") +
    (summary.arms.some((a) => Object.keys(a.published).length) ? "<caption>[published]</caption>" : "");
  const plots = $("plots-trial");
  plots.innerHTML = "";
  for (const [key, label] of [["EASI75", "EASI-75 responders"], ["EASI_pct_change", "EASI % change"]]) {
    const series = summary.arms.map((arm, k) => {
      const weeks = Object.keys(arm.visits).map(Number).sort((a, b) => a - b);
      return { x: weeks.map((w) => 7 * w), y: weeks.map((w) => arm.visits[String(w)]?.[key] ?? null),
        color: PALETTE[k % PALETTE.length], label: arm.name.slice(0, 28) };
    });
    lineChart(plots, label, "", series, key === "EASI75" ? { yMax: 1 } : {});
  }
}

// ---------- start ----------
async function start() {
  try {
    const drugs = await api("/api/drugs");
    for (const d of drugs) state.drugs[d.name] = d;
    SIDES.forEach((side, k) => {
      const select = $(`drug-${side}`);
      for (const name of [...Object.keys(state.drugs), "placebo"]) select.add(new Option(name, name));
      select.value = k === 0 ? "dupilumab" : "tralokinumab";
      fillRegimens(side);
      select.addEventListener("change", () => { fillRegimens(side); simulate(); });
      $(`regimen-${side}`).addEventListener("change", () => { showDoses(side); simulate(); });
      $(`doses-${side}`).addEventListener("change", simulate);
    });
    for (const id of ["use-B", "patient-kind", "patient-seed", "patient-min-easi", "weeks"]) {
      $(id).addEventListener("change", simulate);
    }
    $("run").addEventListener("click", simulate);
    $("trial-run").addEventListener("click", runTrial);
    $("slider").addEventListener("input", (event) => moveTo(Number(event.target.value)));
    await simulate();
  } catch (error) {
    setStatus("status", error.message, true);
  }
}

start();
