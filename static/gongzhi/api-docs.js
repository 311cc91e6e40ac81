/* /api/v1/docs: Swagger UI from static/vendor/swagger-ui, no inline script. Requests made from
   the page carry the session's CSRF token (the API accepts the login session). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrf = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.requestInterceptor = function (req) {
    if (csrf) { req.headers["X-CSRFToken"] = csrf; }
    return req;
  };
  SwaggerUIBundle(config);
})();
