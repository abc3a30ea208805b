// Small behaviours shared by every page: the mobile menu and ECharts from inline data.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".navbar-burger").forEach((burger) => {
    burger.addEventListener("click", () => {
      const target = document.getElementById(burger.dataset.target);
      burger.classList.toggle("is-active");
      if (target) target.classList.toggle("is-active");
    });
  });
  renderCharts(document);
  initPickers(document);
  // <form data-path-form="/base/">: go to /base/<value of its select> (no inline script: CSP).
  document.querySelectorAll("form[data-path-form]").forEach((form) => {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      window.location = form.dataset.pathForm + form.querySelector("select").value;
    });
  });
});
document.addEventListener("htmx:afterSwap", (e) => {
  renderCharts(e.target);
  initPickers(e.target);
});

// <div data-picker="/api/…/choices"> with a search box and a select (web/_picker.html): what is
// typed asks the JSON endpoint for one page of matching choices, which replace the select's
// options (the chosen ones and those marked data-fixed stay).
function initPickers(root) {
  root.querySelectorAll("[data-picker]").forEach((box) => {
    const input = box.querySelector("input[type=search]");
    const select = box.querySelector("select");
    const note = box.querySelector("[data-picker-note]");
    if (!input || !select || box.dataset.pickerReady) return;
    box.dataset.pickerReady = "1";
    let timer;
    let asked = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++asked;
        const url = new URL(box.dataset.picker, window.location.origin);
        url.searchParams.set("q", input.value);
        const resp = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!resp.ok || mine !== asked) return;
        const page = await resp.json();
        [...select.options].forEach((o) => {
          if (!o.selected && !o.hasAttribute("data-fixed")) o.remove();
        });
        const have = new Set([...select.options].map((o) => o.value));
        const tail = select.querySelector("option[data-tail]");
        page.items.forEach((c) => {
          if (!have.has(c.value)) select.insertBefore(new Option(c.label, c.value), tail);
        });
        if (note) note.textContent = box.dataset.found.replace("{shown}", page.items.length).replace("{total}", page.total);
      }, 250);
    });
  });
}

// A chart is a <div class="chart" data-option-id="ID"> beside a <script type="application/json" id="ID">.
function renderCharts(root) {
  if (typeof echarts === "undefined") return;
  root.querySelectorAll(".chart[data-option-id]").forEach((el) => {
    const src = document.getElementById(el.dataset.optionId);
    if (!src) return;
    const chart = echarts.init(el);
    chart.setOption(JSON.parse(src.textContent));
    window.addEventListener("resize", () => chart.resize());
  });
}
