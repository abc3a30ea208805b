// Swagger UI for /api/docs, from the app's own static files (no CDN, no inline script).
window.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    // Validation against swagger.io would leave the machine.
    validatorUrl: null,
  });
});
