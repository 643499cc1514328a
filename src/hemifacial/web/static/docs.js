// Starts Swagger UI for /docs (no inline script: the CSP forbids it). Writes carry the
// session's CSRF token, read from the page's meta tag. The Swagger UI shipped by the
// swagger-ui-bundle package (4.x) reads OpenAPI 3.0 only: the schema FastAPI writes (3.1)
// is shown with its version field set to 3.0.3; /openapi.json itself stays unchanged.
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
    fetch("/openapi.json", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (spec) {
        spec.openapi = "3.0.3";
        window.ui = window.SwaggerUIBundle({
          spec: spec,
          dom_id: "#swagger-ui",
          deepLinking: true,
          requestInterceptor: function (req) {
            if (req.method && req.method.toUpperCase() !== "GET") { req.headers["X-CSRF-Token"] = token; }
            return req;
          }
        });
      });
  });
})();
