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
  // <form data-path-form="/base/">: go to /base/<value of its select> (no inline script: CSP).
  document.querySelectorAll("form[data-path-form]").forEach((form) => {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      window.location = form.dataset.pathForm + form.querySelector("select").value;
    });
  });
});
document.addEventListener("htmx:afterSwap", (e) => renderCharts(e.target));

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
