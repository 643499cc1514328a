// Starts Swagger UI for /docs (no inline script: the CSP forbids it). Writes carry the
// session's CSRF token, read from the page's meta tag.
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
    window.ui = window.SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      requestInterceptor: function (req) {
        if (req.method && req.method.toUpperCase() !== "GET") { req.headers["X-CSRF-Token"] = token; }
        return req;
      }
    });
  });
})();
